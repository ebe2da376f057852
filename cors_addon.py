"""CORS for local development: `mitmproxy -s cors_addon.py` (mitmweb -s, mitmdump -s too).

Rules live in rules.yaml beside this file (option cors_rules); see README.md.
"""

from addon.mitm.addon import CorsAddon

addons = [CorsAddon()]
