"""Running test threads to completion."""

import threading


def run_threads(targets, timeout=120):
    """Starts one thread per target, joins them all, and fails if one is still running after
    `timeout` seconds (a guard against a hang, not a timing)."""
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads)
