"""The registered domain of a host name, from the Public Suffix List (https://publicsuffix.org/):
`www.shop.example.co.uk` → `example.co.uk`. Uses the snapshot tldextract ships (no download:
`suffix_list_urls=()`, no cache file). Private suffixes count (`foo.blogspot.com` is its own
domain, not `blogspot.com`): two blogs on one host are two site owners."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlparse


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def registered_domain(url_or_host: str) -> str | None:
    """The domain a site owner registered, for a URL or a bare host; None for an IP address,
    `localhost` or a name under no known public suffix."""
    text = (url_or_host or "").strip()
    host = urlparse(text).hostname if "://" in text else text.split("/")[0].split(":")[0]
    if not host:
        return None
    found = _extractor()(host.lower().rstrip(".")).top_domain_under_public_suffix
    return found or None
