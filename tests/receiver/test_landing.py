"""Landing files: fsync before the 200, group commit, rotation, failures, and start-up recovery."""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from pipelines.receiver import ReceiverOptions, encode_record, recover_open_files
from pipelines.receiver import landing as landing_module
from pipelines.receiver.landing import LandingFiles, RequestFacts
from tests.pipelines.bodies import status
from tests.receiver.conftest import landed, landed_bodies, landing_files, post, serve_in_thread, with_options


def body(i: int) -> bytes:
    return json.dumps(status(f"wamid.L{i}", "sent", 1_760_000_000 + i, "5511987654321")).encode()


FACTS = RequestFacts(datetime(2026, 10, 1, 8, 0, tzinfo=UTC), "r-1", 0, "application/json", "ua")


def test_record_is_one_line_whose_body_encodes_back_to_the_request_bytes() -> None:
    raw = '{"x":"line\nbreak \u2028 tab\t quote\\" emoji 🎉 nul \u0000"}'.encode()
    line = encode_record(raw, FACTS)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    record = json.loads(line)
    assert record["body"].encode("utf-8") == raw
    assert record["received_at"] == "2026-10-01T08:00:00+00:00"
    assert set(record) == {
        "received_at",
        "request_id",
        "signature",
        "secret_index",
        "content_type",
        "user_agent",
        "bytes",
        "body",
    }
    assert record["bytes"] == len(raw)


def test_every_200_comes_after_its_bytes_were_synced(
    options: ReceiverOptions, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced_sizes: list[int] = []
    real_sync = landing_module._sync_data

    def spy(fd: int) -> None:
        real_sync(fd)
        synced_sizes.append(os.fstat(fd).st_size)

    monkeypatch.setattr(landing_module, "_sync_data", spy)
    with serve_in_thread(options) as running:
        for i in range(5):
            assert post(client, running.url, body(i)).status_code == 200
            # at the moment the answer arrives, a sync covering this record's last byte has completed
            [path] = landing_files(options.landing_dir)
            lines = path.read_bytes().splitlines(keepends=True)
            assert json.loads(lines[i])["body"].encode() == body(i)
            end = sum(len(line) for line in lines[: i + 1])
            assert synced_sizes and max(synced_sizes) >= end


def test_concurrent_requests_share_fsyncs(
    options: ReceiverOptions, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    syncs: list[float] = []
    lock = threading.Lock()

    def slow_sync(fd: int) -> None:
        time.sleep(0.2)  # a slow disk
        with lock:
            syncs.append(time.monotonic())

    monkeypatch.setattr(landing_module, "_sync_data", slow_sync)
    with serve_in_thread(options) as running:
        started = time.monotonic()
        with ThreadPoolExecutor(20) as pool:
            codes = list(pool.map(lambda i: post(client, running.url, body(i)).status_code, range(20)))
        elapsed = time.monotonic() - started
    assert codes == [200] * 20
    # one sync per request would take 20 x 0.2 s; batches need only a few
    assert len(syncs) < 10 and elapsed < 3.0
    assert sorted(landed_bodies(options.landing_dir)) == sorted(body(i) for i in range(20))


def test_files_rotate_by_size_and_every_closed_file_holds_whole_records(
    options: ReceiverOptions, client: httpx.Client
) -> None:
    with serve_in_thread(with_options(options, rotate_bytes=1500)) as running:
        for i in range(6):
            assert post(client, running.url, body(i)).status_code == 200
    files = landing_files(options.landing_dir)
    sizes = [len(line) for p in files for line in p.read_bytes().splitlines(keepends=True)]
    # records of 500..749 bytes: two stay below 1500, the third reaches it and closes the file
    assert len(sizes) == 6 and all(500 <= size < 750 for size in sizes)
    assert len(files) == 2
    assert all(p.name.endswith(".ndjson") and p.name.startswith("receipts-") for p in files)
    assert all(len(p.read_bytes().splitlines()) == 3 for p in files)
    day = datetime.now(UTC)
    assert all(p.parent == options.landing_dir / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}" for p in files)


def test_files_rotate_by_age_even_without_traffic(options: ReceiverOptions, client: httpx.Client) -> None:
    with serve_in_thread(with_options(options, rotate_seconds=0.3)) as running:
        assert post(client, running.url, body(1)).status_code == 200
        deadline = time.monotonic() + 10
        while not all(p.suffix == ".ndjson" for p in landing_files(options.landing_dir)):
            assert time.monotonic() < deadline, "the idle file was never closed"
            time.sleep(0.05)
        assert post(client, running.url, body(2)).status_code == 200
    files = landing_files(options.landing_dir)
    assert len(files) == 2 and landed_bodies(options.landing_dir) == [body(1), body(2)]


def test_a_failing_disk_answers_503_and_recovers(
    options: ReceiverOptions, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_sync = landing_module._sync_data
    failing = {"on": True}

    def flaky(fd: int) -> None:
        if failing["on"]:
            raise OSError(28, "No space left on device")
        real_sync(fd)

    monkeypatch.setattr(landing_module, "_sync_data", flaky)
    with serve_in_thread(options) as running:
        assert post(client, running.url, body(1)).status_code == 503  # Meta will retry it
        health = client.get(f"{running.url}/healthz")
        assert health.status_code == 503 and "No space left" in health.json()["last_error"]
        failing["on"] = False
        assert post(client, running.url, body(2)).status_code == 200
        assert client.get(f"{running.url}/healthz").status_code == 200
    # the failed batch was cut off its file; only the acknowledged record remains
    assert landed_bodies(options.landing_dir) == [body(2)]


def test_recovery_closes_crashed_files_and_leaves_live_ones(tmp_path: Path) -> None:
    day = tmp_path / "2026" / "10" / "01"
    day.mkdir(parents=True)
    crashed = day / "receipts-20261001T080000Z-111-0001.ndjson.open"
    crashed.write_bytes(encode_record(body(1), FACTS) + b'{"received_at":"2026-10-01T08:00:01+00:00","bo')
    empty = day / "receipts-20261001T080000Z-111-0002.ndjson.open"
    empty.write_bytes(b"")
    live = day / "receipts-20261001T080000Z-222-0001.ndjson.open"
    live.write_bytes(encode_record(body(2), FACTS))
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another receiver is writing it
    try:
        recovered = recover_open_files(tmp_path)
    finally:
        os.close(fd)
    assert recovered == [crashed.with_name(crashed.name.removesuffix(".open"))]
    assert recovered[0].read_bytes().startswith(encode_record(body(1), FACTS))
    assert not empty.exists() and live.exists()


def test_a_second_writer_never_touches_the_first_writers_file(tmp_path: Path) -> None:
    first = LandingFiles(tmp_path, fsync=False, rotate_seconds=60, rotate_bytes=1 << 20)
    first.append(encode_record(body(1), FACTS))
    assert first.current is not None
    assert recover_open_files(tmp_path) == []  # first still holds its lock
    assert first.current.exists()
    first.close()
    assert [r["body"] for r in landed(tmp_path)] == [body(1).decode()]
