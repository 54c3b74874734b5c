"""kit.turns: a few request threads run at once, and one waiting outside the process lends its turn."""

import threading
import time

from kit.turns import Turns, holding, waiting


def run_threads(n: int, target) -> None:
    threads = [threading.Thread(target=target) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
        assert not thread.is_alive()


def test_at_most_size_threads_hold_a_turn_and_each_gives_it_back():
    turns = Turns(2)
    lock, running, peak = threading.Lock(), [0], [0]

    def work():
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    run_threads(6, lambda: turns.run(work))
    assert peak[0] == 2
    assert holding() is None


def test_a_thread_waiting_outside_lends_its_turn_and_takes_it_back():
    turns = Turns(1)
    answered, order = threading.Event(), []

    def asks_another_service():
        with waiting():  # e.g. kit.internal: the answer comes from a thread that needs the one turn
            order.append("lent")
            assert answered.wait(timeout=10)
        assert holding() is turns  # back with its turn
        order.append("asker done")

    def answers():
        order.append("answered")
        answered.set()

    asker = threading.Thread(target=turns.run, args=(asks_another_service,))
    asker.start()
    while "lent" not in order:
        time.sleep(0.01)
    run_threads(1, lambda: turns.run(answers))  # gets the turn while the first one waits
    asker.join(timeout=10)
    assert order == ["lent", "answered", "asker done"]


def test_outside_a_turn_waiting_does_nothing_and_a_nested_run_does_not_wait_for_itself():
    turns = Turns(1)
    with waiting():
        assert holding() is None
    assert turns.run(lambda: turns.run(lambda: holding() is turns)) is True


def test_a_long_turn_is_shared_with_those_waiting_and_a_short_one_is_not():
    from kit import turns as module
    from kit.turns import share

    turns = Turns(1)
    order, started = [], threading.Event()

    def long_request():
        started.set()
        share()  # early: keeps its turn
        order.append("long: first part")
        time.sleep(module.QUANTUM * 3)  # stands for work that holds the turn
        while len(turns._new) == 0:
            time.sleep(0.005)
        share()  # it has had its share and somebody waits: they go first
        order.append("long: second part")

    runner = threading.Thread(target=turns.run, args=(long_request,))
    runner.start()
    started.wait(timeout=10)
    run_threads(1, lambda: turns.run(lambda: order.append("short")))
    runner.join(timeout=10)
    assert order == ["long: first part", "short", "long: second part"]
