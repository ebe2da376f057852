"""For reference in `make bench`: the empty addon plus the CORS addon's start-up gc.freeze().

It tells what the freeze saves mitmproxy itself (its start-up objects are frozen too) from
what the CORS addon costs per flow."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from addon.mitm import freeze_start_up_heap  # noqa: E402
from empty_addon import Empty  # noqa: E402


class FrozenEmpty(Empty):
    def running(self):
        freeze_start_up_heap()


addons = [FrozenEmpty()]
