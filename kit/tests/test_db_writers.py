"""SQLite writers of one file take turns in a process: the turn is handed on at commit, rollback or check-in."""

from __future__ import annotations

import threading

import pytest

from kit.db import _writers, make_engine


@pytest.fixture
def engines(tmp_path):
    path = tmp_path / "w.db"
    first, second = make_engine(f"sqlite:///{path}"), make_engine(f"sqlite:///{path}")
    with first.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield first, second, _writers[str(path)]
    first.dispose()
    second.dispose()


def test_reads_take_no_turn_and_a_write_holds_it_until_commit(engines):
    first, _, writer = engines
    with first.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM t")
        assert not writer.lock.locked()
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert writer.lock.locked()
        conn.commit()
        assert not writer.lock.locked()


def test_a_rollback_and_a_connection_given_back_mid_transaction_hand_the_turn_on(engines):
    first, _, writer = engines
    with first.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.rollback()
        assert not writer.lock.locked()
    with first.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
    assert not writer.lock.locked()  # the pool's reset rolled it back


def test_a_second_writer_waits_for_the_first_commit_not_for_an_error(engines):
    first, second, writer = engines
    done: list[int] = []

    def later_writer() -> None:
        with second.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        done.append(2)

    with first.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        thread = threading.Thread(target=later_writer)
        thread.start()
        thread.join(timeout=0.5)  # it cannot finish while this transaction is open
        assert done == [] and thread.is_alive()
        conn.commit()
    thread.join(timeout=30)
    assert done == [2] and not writer.lock.locked()
    with first.connect() as conn:
        assert [r[0] for r in conn.exec_driver_sql("SELECT x FROM t ORDER BY x")] == [1, 2]
