"""Cases: the claim against one party, its items, its lifecycle and the handler's queue."""
