"""The pull progress tracker: overall progress across layers, speed and time left, on a fake clock."""

from __future__ import annotations

import pytest

from lib.models.pull_progress import PullProgress, step_label

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def feed(chunks, clock=None, step=1.0):
    clock = clock or Clock()
    tracker = PullProgress(clock)
    for chunk in chunks:
        tracker.update(chunk)
        clock.now += step
    return tracker


def test_overall_progress_sums_every_layer_and_never_resets_per_layer():
    tracker = feed(
        [
            {"status": "pulling manifest"},
            {"status": f"pulling {A}", "digest": A, "total": 900},
            {"status": f"pulling {A}", "digest": A, "total": 900, "completed": 900},
            {"status": f"pulling {B}", "digest": B, "total": 100},
        ]
    )
    snap = tracker.snapshot()
    assert (snap.completed, snap.total, snap.layers) == (900, 1000, 2)
    assert snap.fraction == pytest.approx(0.9)
    assert snap.status == f"pulling {B}"
    assert not snap.done


@pytest.mark.parametrize(
    ("chunks", "fraction"),
    [
        ([], 0.0),
        ([{"status": "pulling manifest"}], 0.0),
        ([{"status": "x", "digest": A, "total": 0}], 0.0),
        ([{"status": "x", "digest": A, "total": 200, "completed": 50}], 0.25),
        ([{"status": "x", "digest": A, "total": 200, "completed": 500}], 0.99),
        (
            [
                {"status": "x", "digest": A, "total": 200, "completed": 150},
                {"status": "x", "digest": A, "total": 200, "completed": 100},
            ],
            0.75,
        ),
        ([{"status": "x", "digest": A, "total": 100, "completed": "lots"}], 0.0),
        ([{"status": "x", "digest": A, "total": 100, "completed": 10}, {"status": "success"}], 1.0),
    ],
    ids=[
        "nothing",
        "manifest-only",
        "zero-total",
        "quarter",
        "not-100-percent-before-success",
        "never-goes-backwards",
        "non-numeric-completed",
        "success-is-complete",
    ],
)
def test_fraction(chunks, fraction):
    assert feed(chunks).fraction() == pytest.approx(fraction)


def test_speed_and_time_left_come_from_recent_bytes():
    clock = Clock()
    tracker = PullProgress(clock)
    tracker.update({"status": "p", "digest": A, "total": 10_000, "completed": 0})
    clock.now += 2
    tracker.update({"status": "p", "digest": A, "total": 10_000, "completed": 2_000})
    assert tracker.speed() == pytest.approx(1_000)
    assert tracker.seconds_left() == pytest.approx(8)


def test_speed_forgets_old_samples_so_a_stall_shows():
    clock = Clock()
    tracker = PullProgress(clock)
    for completed in (0, 1_000, 2_000, 3_000):
        tracker.update({"status": "p", "digest": A, "total": 10_000, "completed": completed})
        clock.now += 1
    for _ in range(8):
        tracker.update({"status": "p", "digest": A, "total": 10_000, "completed": 3_000})
        clock.now += 1
    assert tracker.speed() == pytest.approx(0)
    assert tracker.seconds_left() is None


def test_a_resumed_pull_measures_speed_from_where_it_resumed():
    clock = Clock()
    tracker = PullProgress(clock)
    tracker.update({"status": "p", "digest": A, "total": 1_000_000, "completed": 900_000})
    clock.now += 1
    tracker.update({"status": "p", "digest": A, "total": 1_000_000, "completed": 910_000})
    assert tracker.speed() == pytest.approx(10_000)
    assert tracker.seconds_left() == pytest.approx(9)


def test_no_speed_or_time_left_before_two_samples():
    tracker = feed([{"status": "p", "digest": A, "total": 100, "completed": 10}])
    assert tracker.speed() is None
    assert tracker.seconds_left() is None


def test_success_means_nothing_left():
    snap = feed([{"status": "p", "digest": A, "total": 100, "completed": 100}, {"status": "success"}]).snapshot()
    assert snap.done and snap.seconds_left == 0 and snap.fraction == 1.0 and snap.status == "success"


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("starting", "Starting"),
        ("pulling manifest", "Fetching the manifest"),
        (f"pulling {A}", "Downloading layer aaaaaaaaaaaa"),
        ("pulling 6a0746a1ec1a", "Downloading layer 6a0746a1ec1a"),
        ("verifying sha256 digest", "Verifying the download"),
        ("writing manifest", "Writing the manifest"),
        ("success", "Done"),
        (f"using existing layer {A}", "Using existing layer aaaaaaaaaaaa"),
        (f"creating new layer {B}", "Creating new layer bbbbbbbbbbbb"),
        ("quantizing F16 model to Q4_K_M", "Quantising from F16 to Q4_K_M"),
        ("something new", "Something new"),
    ],
)
def test_step_labels(status, label):
    assert step_label(status, plain=True) == label


def test_step_labels_as_markdown_show_the_servers_words_literally():
    """The progress bar's text is Markdown: a status the server made up must not draw an image, a link or bold."""
    hostile = "![i](http://tracker.invalid/s.png) **bold** [x](javascript:alert(1))"
    assert step_label(hostile) == "!\\[i\\](http://tracker.invalid/s.png) \\*\\*bold\\*\\* \\[x\\](javascript:alert(1))"
    assert step_label(hostile, plain=True) == hostile
    assert step_label("quantizing F16 model to Q4_K_M") == "Quantising from F16 to Q4\\_K\\_M"
    assert step_label("pulling manifest") == "Fetching the manifest"


def test_no_time_left_is_claimed_when_every_layer_seen_is_complete_but_the_pull_is_not():
    clock = Clock()
    tracker = PullProgress(clock)
    tracker.update({"status": "p", "digest": A, "total": 100, "completed": 0})
    clock.now += 1
    tracker.update({"status": "p", "digest": A, "total": 100, "completed": 100})
    snap = tracker.snapshot()
    assert snap.fraction == pytest.approx(0.99)
    assert snap.seconds_left is None
