"""Profiles load by name or path, extend each other, and a bad one is a one-line ConfigError."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from sender.emulator import builtin_profiles, load_profile
from sender.emulator.profile import Delay


def test_the_four_built_in_profiles_load() -> None:
    assert set(builtin_profiles()) >= {"default", "demo", "fast", "bench"}
    assert load_profile("bench").webhooks.enabled is False
    assert load_profile("demo").time_scale == 0.002
    # demo extends default: what it does not name comes from default
    assert load_profile("demo").failures == load_profile("default").failures
    assert load_profile("fast").timing.read.high <= 1.0


def test_a_profile_file_extends_a_built_in_one(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('extends = "fast"\nname = "mine"\n[failures]\nunreachable = 0.5\n', encoding="utf-8")
    profile = load_profile(str(path))
    assert profile.name == "mine" and profile.failures.unreachable == 0.5
    assert profile.timing == load_profile("fast").timing


def test_delays_draw_log_uniformly_within_their_range() -> None:
    delay = Delay(1.0, 100.0)
    assert delay.draw(0.0) == 1.0
    assert delay.draw(0.5) == pytest.approx(10.0)  # the geometric middle
    assert delay.draw(0.999999) == pytest.approx(100.0, rel=1e-4)
    assert Delay(0.0, 2.0).draw(0.25) == 0.5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[failures]\nunreachable = 1.5\n", "[failures] unreachable is a probability, got 1.5"),
        (
            "[failures]\nunreachable = 0.6\nmarketing_limit = 0.6\n",
            "[failures] probabilities add up to more than 1",
        ),
        ("[timing]\nread = [10, 1]\n", "[timing] read low 10.0 is above high 1.0"),
        ("[timing]\nread = 5\n", "[timing] read must be [low, high] in seconds"),
        ("[webhooks]\nbatch_max = 0\n", "batch_max, concurrency and max_attempts must be at least 1"),
        ("[webhooks]\nenabled = 1\n", "[webhooks] enabled must be true or false"),
        ("[webhooks]\nretries = 3\n", "[webhooks]: unknown key 'retries'"),
        ('[account]\nstate = "banned"\n', "[account] unknown state 'banned'"),
        ('colour = "blue"\n', "unknown profile key 'colour'"),
        ("time_scale = -1\n", "time_scale must not be negative"),
        ("[quality]\nyellow = 0.5\nred = 0.1\n", "[quality] yellow must not be above red"),
        ("[timing\n", "invalid TOML"),
    ],
)
def test_bad_profiles_say_what_is_wrong_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_profile(str(path))
    line = caught.value.one_line()
    assert message in line and "\n" not in line


def test_unknown_names_and_missing_files_and_loops(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown profile 'nope'"):
        load_profile("nope")
    with pytest.raises(ConfigError, match="no such profile file"):
        load_profile(str(tmp_path / "missing.toml"))
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(f'extends = "{b}"\n', encoding="utf-8")
    b.write_text(f'extends = "{a}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="in a loop"):
        load_profile(str(a))
