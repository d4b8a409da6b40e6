"""Requests made at the same moment, for the tests of what must hold under
concurrency (throttles counting before they check)."""

import threading
from collections import Counter
from collections.abc import Callable


def all_at_once(calls: list[Callable[[], str]], refused: str) -> Counter:
    """Run every call in a thread of its own, released together, and count
    the answers that contain `refused` ("throttled") and the others ("checked")."""
    barrier = threading.Barrier(len(calls))
    outcomes = Counter()
    lock = threading.Lock()

    def run(call):
        barrier.wait()
        answer = call()
        with lock:
            outcomes["throttled" if refused in answer else "checked"] += 1

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
