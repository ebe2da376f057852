"""CORS for local development: a mitmproxy addon driven by rules.yaml.

The modules here are plain Python (no mitmproxy import) except `addon.mitm`,
the thin shell that translates mitmproxy flows to and from the pure core.
"""
