"""The other party: site owners, their addresses and commercial signals."""
