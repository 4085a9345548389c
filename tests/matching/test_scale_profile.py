"""`benchmarks/matching_scale.py --profile`: where a search's time goes, step by step and
stage by stage (docs/benchmarks.md, "Where a search's time goes")."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.matching import transforms
from tests.matching.conftest import photo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


def test_the_profile_finds_each_step_of_a_search_and_counts_none_twice(engine):
    """Each step is found by its function (a step whose function is not the one searches
    run would read 0), the second plane's fit is part of verification, the steps do not add
    up to more than the searches took, and each query is counted at the stage it stopped at."""
    from matching_scale import profile_steps

    # a copy pasted onto a star field: found by the whole query, verified with many matches
    # left out, so the second plane is looked for; an unrelated photo: searched through every
    # stage; a work as it is: answered by its perceptual hash, undescribed
    queries = [transforms.onto_background(photo("coffee.png"), photo("hubble_deep_field.jpg")),
               photo("grass.png"), photo("chelsea.png")]
    profile = profile_steps(engine, queries)
    steps = profile["ms_per_query"]
    assert set(steps) == {"description", "hash", "words", "votes", "records", "neighbours", "verification",
                          "second_plane", "other", "total"}
    for step in ("description", "hash", "words", "votes", "records", "neighbours"):
        assert steps[step] > 0, (step, steps)
    assert steps["description"] > 5 * steps["hash"]   # ORB over six pictures against three hash lookups
    # the star field's copy needs the second plane's fit (old RANSAC, 1,000 draws: about 14 ms a call)
    assert 1.0 <= steps["second_plane"] < steps["verification"]
    assert 0 <= steps["other"] < steps["total"]
    parts = sum(v for k, v in steps.items() if k not in ("second_plane", "other", "total"))
    assert abs(parts + steps["other"] - steps["total"]) <= 0.05   # `other` is the rest, the fit counted once
    stages = profile["by_stage"]
    assert {s: stages[s]["queries"] for s in stages} == {"hash": 1, "whole": 1, "mirror": 0, "windows": 1}
    assert stages["mirror"]["median_ms"] is None
    assert stages["hash"]["median_ms"] < stages["whole"]["median_ms"] < stages["windows"]["median_ms"]


@pytest.mark.parametrize("slow_windows, at", [(5, "whole"), (6, "windows")])
def test_the_95th_percentile_is_a_miss_exactly_when_six_of_84_reach_the_windows(slow_windows, at):
    """The search times grouped by where each query stopped, and the stage of the query at the
    95th percentile: of 84, the sixth slowest (as `p95` picks it), so 5 slow misses leave it at
    a found query and 6 put it at a miss."""
    from matching_scale import p95, search_times_by_stage

    found = 84 - slow_windows
    times = [10.0 + i * 0.1 for i in range(found)] + [60.0 + i for i in range(slow_windows)]
    stopped = ["whole"] * found + ["windows"] * slow_windows
    stopped[0] = "hash"
    shuffled = list(zip(times, stopped))[::-1]          # query order is not time order
    out = search_times_by_stage([t for t, _ in shuffled], [s for _, s in shuffled])
    assert out["p95_at"] == at
    slowest_found = round(10.0 + (found - 1) * 0.1, 1)
    assert p95(sorted(times)) == (60.0 if at == "windows" else slowest_found)
    assert out["windows"] == {"queries": slow_windows, "max_ms": 60.0 + slow_windows - 1}
    assert out["hash"] == {"queries": 1, "max_ms": 10.0}
    assert out["whole"]["queries"] == found - 1
    assert out["mirror"] == {"queries": 0, "max_ms": None}
    with pytest.raises(ValueError):
        search_times_by_stage([1.0, 2.0], ["whole"])     # a time without its stage is refused


def test_searching_an_index_never_built_says_so(tmp_path):
    """`--search-only` (with or without --profile) on a folder with no index: what is wrong and
    what to do, no traceback, and nothing written there."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "benchmarks" / "matching_scale.py"), "--search-only",
                          "--index", str(tmp_path / "none"), "--refs", "10", "--profile"],
                         capture_output=True, text=True, cwd=root)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "no index is saved at" in out.stderr and "build one first" in out.stderr
    assert not (tmp_path / "none").exists()


def test_where_a_search_lost_its_work_is_each_stage_with_the_work_verified_directly(engine):
    """--misses: a copy the whole query finds shows its work shortlisted and matched at that
    stage; an unrelated photograph shows the work neither shortlisted nor matched, in each of
    the three stages it was described for, and the searches' own answers are unchanged."""
    from matching_scale import where_lost

    from matching.engine import query_signature

    copy = query_signature(transforms.crop(photo("coffee.png")))
    before = [(m.ref_id, m.score) for m in engine.search(copy, k=3)]
    found = where_lost(engine, "coffee.png", copy)["stages"]
    assert [s["stage"] for s in found] == ["whole", "mirror", "windows"]
    whole = found[0]
    assert whole["shortlisted"] is not None and whole["shortlisted"] > 0 and whole["of"] >= 1
    assert whole["verified"][0]["score"] >= 0.5 and whole["verified"][0]["tight"] >= 15
    assert whole["verified"][0]["n"] >= whole["verified"][0]["tight"]
    assert [(m.ref_id, m.score) for m in engine.search(copy, k=3)] == before
    from matching import index, verify
    assert index.verify_pair is verify.verify_pair                    # put back
    coins = query_signature(photo("coins.png"))
    other = where_lost(engine, "rocket.jpg", coins)["stages"]
    assert len(other) == 3 and all(s["shortlisted"] is None for s in other)
    assert all(v["score"] < 0.5 for s in other for v in s["verified"])
    # the windows, with the whole and the mirror again, as the search shortlists them
    assert len(other[2]["verified"]) == len(coins.stage(0) + coins.stage(1) + coins.stage(2)) == 6
    # shortlisted by chance votes, and not a copy once verified
    chance = where_lost(engine, "coffee.png", coins)["stages"][0]
    assert chance["shortlisted"] >= 20 and chance["verified"][0]["score"] < 0.5


def test_where_lost_puts_verification_back_when_it_fails_and_names_a_missing_work(engine,
                                                                                 monkeypatch):
    from matching_scale import where_lost

    from matching import index, verify
    from matching.engine import query_signature

    def broken(*args, **kwargs):
        raise RuntimeError("verification failed")

    monkeypatch.setattr(engine._index, "verify", lambda *a, **k: broken())
    with pytest.raises(RuntimeError):
        where_lost(engine, "coffee.png", query_signature(photo("coins.png")))
    assert index.verify_pair is verify.verify_pair
    assert where_lost(engine, "nowhere.png", None) == {"stages": [],
                                                       "error": "nowhere.png is not in the index"}


@pytest.fixture
def started(monkeypatch):
    """The commands main() starts the searching process with (nothing built, nothing run)."""
    import matching_scale

    ran = []

    class Done:
        stdout, stderr, returncode = "{}", "", 0

    monkeypatch.setattr(matching_scale, "build", lambda args: {})
    monkeypatch.setattr(matching_scale, "disk_model_problem", lambda index: None)
    monkeypatch.setattr(matching_scale.subprocess, "run",
                        lambda cmd, **kw: ran.append(cmd) or Done())
    return ran


def test_misses_are_asked_of_the_searching_process(started):
    """--misses (as --profile) reaches the fresh process that searches."""
    import matching_scale

    ran = started
    assert matching_scale.main(["--refs", "10", "--index", "/nonexistent", "--misses"]) == 0
    assert "--misses" in ran[0] and "--profile" not in ran[0]
    assert matching_scale.main(["--refs", "10", "--index", "/nonexistent"]) == 0
    assert "--misses" not in ran[1]


# ------------------------------------------------------- --disk-iops: a slower disk, modelled

def _sysfs_for(path, tmp_path, partition=False):
    """A /sys/dev/block stand-in naming the device of `path` (as a partition of a disk 8:0)."""
    import os

    st = os.stat(path)
    sysfs = tmp_path / "sysfs"
    disk = tmp_path / "devices" / "sda"
    part = disk / "sda1"
    part.mkdir(parents=True)
    (disk / "dev").write_text("8:0\n")
    (part / "dev").write_text("8:1\n")
    if partition:
        (part / "partition").write_text("1\n")
    sysfs.mkdir()
    (sysfs / f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}").symlink_to(part if partition else disk)
    return str(sysfs)


def test_the_disk_is_the_whole_disk_of_the_partition_holding_the_index(tmp_path):
    from matching_scale import block_device

    assert block_device(str(tmp_path), _sysfs_for(tmp_path, tmp_path, partition=True)) == "8:0"


def test_a_disk_that_is_no_partition_is_itself(tmp_path):
    from matching_scale import block_device

    assert block_device(str(tmp_path), _sysfs_for(tmp_path, tmp_path)) == "8:0"


def test_an_index_on_no_block_device_is_named(tmp_path):
    from matching_scale import block_device

    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="names no block device"):
        block_device(str(tmp_path), str(tmp_path / "empty"))


@pytest.fixture
def kernel_rmdir(monkeypatch):
    """A control group's files are the kernel's and go with its rmdir; a stand-in's are real,
    so removing a stand-in group removes them too."""
    import shutil

    monkeypatch.setattr(Path, "rmdir", lambda self: shutil.rmtree(self))


def test_a_v1_blkio_group_caps_reads_and_is_removed_afterwards(tmp_path, kernel_rmdir):
    import os

    from matching_scale import throttle_reads

    blkio = tmp_path / "cg" / "blkio"
    blkio.mkdir(parents=True)
    for name in ("blkio.throttle.read_iops_device", "cgroup.procs"):
        (blkio / name).write_text("")
    (blkio / "jobs").mkdir()                  # where the process was: it goes back there
    (blkio / "jobs" / "cgroup.procs").write_text("")
    proc = tmp_path / "cgroup"
    proc.write_text("9:cpu,cpuacct:/\n7:blkio:/jobs\n0::/\n")
    model, undo = throttle_reads(str(tmp_path), 3000, 125, str(tmp_path / "cg"),
                                 _sysfs_for(tmp_path, tmp_path), str(proc))
    group = Path(model["cgroup"])
    assert group.parent == blkio and str(os.getpid()) in group.name
    assert (group / "blkio.throttle.read_iops_device").read_text() == "8:0 3000"
    assert (group / "blkio.throttle.read_bps_device").read_text() == f"8:0 {125 * 2 ** 20}"
    assert (group / "cgroup.procs").read_text() == str(os.getpid())
    assert model == {"device": "8:0", "read_iops": 3000, "read_mib_s": 125, "cgroup": str(group)}
    (group / "blkio.throttle.io_serviced").write_text("9:0 Read 99\n8:0 Write 3\n8:0 Read 12\n")
    (group / "blkio.throttle.io_service_bytes").write_text(f"8:0 Read {3 * 2 ** 20}\n")
    served = {"reads": 12, "read_mib": 3.0}
    assert undo() == served
    assert not group.exists()
    assert (blkio / "jobs" / "cgroup.procs").read_text() == str(os.getpid())
    assert (blkio / "cgroup.procs").read_text() == ""


def test_a_v1_cap_on_one_of_the_rates_sets_only_that_one(tmp_path):
    from matching_scale import throttle_reads

    blkio = tmp_path / "cg" / "blkio"
    blkio.mkdir(parents=True)
    (blkio / "blkio.throttle.read_iops_device").write_text("")
    model, _ = throttle_reads(str(tmp_path), 500, None, str(tmp_path / "cg"),
                              _sysfs_for(tmp_path, tmp_path))
    group = Path(model["cgroup"])
    assert not (group / "blkio.throttle.read_bps_device").exists()
    (group / "blkio.throttle.read_iops_device").unlink()
    throttle_reads(str(tmp_path), None, 60, str(tmp_path / "cg"),
                   _sysfs_for(tmp_path, tmp_path / "b"))
    assert not (group / "blkio.throttle.read_iops_device").exists()
    assert (group / "blkio.throttle.read_bps_device").read_text() == f"8:0 {60 * 2 ** 20}"


def test_a_v2_group_enables_io_and_sets_io_max(tmp_path, kernel_rmdir):
    import os

    from matching_scale import throttle_reads

    root = tmp_path / "cg"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (root / "user.slice").mkdir()
    (root / "user.slice" / "cgroup.procs").write_text("")
    proc = tmp_path / "cgroup"
    proc.write_text("1:name=systemd:/init.scope\n0::/user.slice\n")
    model, undo = throttle_reads(str(tmp_path), 3000, 125, str(root),
                                 _sysfs_for(tmp_path, tmp_path), str(proc))
    assert (root / "cgroup.subtree_control").read_text() == "+io"
    assert (Path(model["cgroup"]) / "io.max").read_text() == f"8:0 riops=3000 rbps={125 * 2 ** 20}"
    (Path(model["cgroup"]) / "io.stat").write_text(f"8:0 rbytes={2 ** 21} wbytes=0 rios=7 wios=0\n")
    assert undo() == {"reads": 7, "read_mib": 2.0}
    assert (root / "user.slice" / "cgroup.procs").read_text() == str(os.getpid())
    model, _ = throttle_reads(str(tmp_path), None, 60, str(root),
                              _sysfs_for(tmp_path, tmp_path / "b"), str(proc))
    assert (Path(model["cgroup"]) / "io.max").read_text() == f"8:0 rbps={60 * 2 ** 20}"


def test_no_block_io_controller_is_said_and_nothing_is_made(tmp_path):
    from matching_scale import throttle_reads

    root = tmp_path / "cg"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpu memory\n")
    with pytest.raises(ValueError, match="no block-IO control group"):
        throttle_reads(str(tmp_path), 3000, None, str(root), _sysfs_for(tmp_path, tmp_path))
    assert [p.name for p in root.iterdir()] == ["cgroup.controllers"]


def test_a_model_that_cannot_be_set_says_root_and_leaves_no_group(tmp_path, monkeypatch,
                                                                   kernel_rmdir):
    from matching_scale import throttle_reads

    blkio = tmp_path / "cg" / "blkio"
    blkio.mkdir(parents=True)
    (blkio / "blkio.throttle.read_iops_device").write_text("")
    real = Path.write_text

    def refused(self, text, *args, **kwargs):
        if self.name == "cgroup.procs":
            raise PermissionError(1, "Operation not permitted")
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", refused)
    with pytest.raises(ValueError, match="needs root"):
        throttle_reads(str(tmp_path), 3000, None, str(tmp_path / "cg"),
                       _sysfs_for(tmp_path, tmp_path))
    assert [p.name for p in blkio.iterdir()] == ["blkio.throttle.read_iops_device"]


def test_the_real_control_group_holds_the_process_and_lets_it_go(tmp_path):
    """On this machine's kernel, when it has one and runs as root: the process is in the group
    while the model holds, and back where it was after (a cap high enough to slow nothing)."""
    import os

    from matching_scale import throttle_reads

    v1 = Path("/sys/fs/cgroup/blkio/blkio.throttle.read_iops_device")
    if os.geteuid() != 0 or not v1.exists():
        pytest.skip("needs root and a cgroup v1 blkio hierarchy")
    before = Path("/proc/self/cgroup").read_text()
    try:
        model, undo = throttle_reads(str(Path(__file__)), 1_000_000, None)
    except ValueError as error:
        pytest.skip(str(error))
    try:
        assert f"blkio:/{Path(model['cgroup']).name}" in Path("/proc/self/cgroup").read_text()
    finally:
        served = undo()
    assert served["reads"] >= 0 and served["read_mib"] >= 0 and len(served) == 2
    assert not Path(model["cgroup"]).exists()
    assert Path("/proc/self/cgroup").read_text() == before


def test_a_disk_model_needs_cold_and_a_rate(started, capsys):
    import matching_scale

    ran = started
    with pytest.raises(SystemExit) as stopped:
        matching_scale.main(["--refs", "10", "--index", "/nonexistent", "--disk-iops", "3000"])
    assert stopped.value.code == 2 and "give --cold too" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        matching_scale.main(["--refs", "10", "--index", "/x", "--disk-mib-s", "125"])
    assert "give --cold too" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        matching_scale.main(["--refs", "10", "--index", "/x", "--cold", "--disk-iops", "0"])
    assert "rates above 0" in capsys.readouterr().err and not ran
    assert matching_scale.main(["--refs", "10", "--index", "/nonexistent", "--cold",
                                "--disk-iops", "3000", "--disk-mib-s", "125"]) == 0
    cmd = ran[0]
    assert cmd[cmd.index("--disk-iops") + 1] == "3000"
    assert cmd[cmd.index("--disk-mib-s") + 1] == "125.0"
    assert "--cold" in cmd


def test_the_searching_process_runs_under_the_model_and_leaves_it_whatever_happens(monkeypatch):
    import argparse

    import matching_scale

    calls = []

    def throttle(path, iops, mib_s):
        calls.append((path, iops, mib_s))
        return {"read_iops": iops}, lambda: calls.append("undone") or {"reads": 5, "read_mib": 1.0}

    monkeypatch.setattr(matching_scale, "base_images", lambda folder: [])
    monkeypatch.setattr(matching_scale, "throttle_reads", throttle)
    monkeypatch.setattr(matching_scale, "_timed", lambda args, *rest: {"disk_model": rest[-1]})
    args = argparse.Namespace(images=None, index="/i", disk_iops=3000, disk_mib_s=None)
    report = matching_scale.search(args)
    assert calls == [("/i", 3000, None), "undone"]
    assert report["disk_model"] == {"read_iops": 3000, "served": {"reads": 5, "read_mib": 1.0}}

    def failed(*args):
        raise RuntimeError("a search failed")

    monkeypatch.setattr(matching_scale, "_timed", failed)
    with pytest.raises(RuntimeError):
        matching_scale.search(args)
    assert calls[-1] == "undone"

    def refused(*args):
        raise ValueError("no block-IO control group")

    monkeypatch.setattr(matching_scale, "throttle_reads", refused)
    with pytest.raises(SystemExit, match="error: no block-IO control group"):
        matching_scale.search(args)
    monkeypatch.setattr(matching_scale, "throttle_reads", throttle)
    monkeypatch.setattr(matching_scale, "_timed", lambda args, *rest: {"disk_model": rest[-1]})
    assert matching_scale.search(argparse.Namespace(images=None, index="/i", disk_iops=None,
                                                    disk_mib_s=None)) == {"disk_model": None}


def test_a_group_an_earlier_run_left_is_removed_and_a_live_one_kept(tmp_path, monkeypatch):
    import shutil

    from matching_scale import THROTTLED, throttle_reads

    blkio = tmp_path / "cg" / "blkio"
    blkio.mkdir(parents=True)
    (blkio / "blkio.throttle.read_iops_device").write_text("")
    (blkio / f"{THROTTLED}-1").mkdir()               # its process killed: empty
    (blkio / f"{THROTTLED}-2").mkdir()
    (blkio / f"{THROTTLED}-2" / "cgroup.procs").write_text("2")   # a stand-in for a live one

    def busy_when_live(self):   # as the kernel: a group with a process in it stays
        if (self / "cgroup.procs").exists() and (self / "cgroup.procs").read_text():
            raise OSError(16, "Device or resource busy")
        shutil.rmtree(self)

    monkeypatch.setattr(Path, "rmdir", busy_when_live)
    throttle_reads(str(tmp_path), 3000, None, str(tmp_path / "cg"), _sysfs_for(tmp_path, tmp_path))
    assert not (blkio / f"{THROTTLED}-1").exists() and (blkio / f"{THROTTLED}-2").exists()


def test_a_clean_up_that_fails_is_said_and_the_report_kept(tmp_path, capsys):
    from matching_scale import throttle_reads

    blkio = tmp_path / "cg" / "blkio"
    blkio.mkdir(parents=True)
    (blkio / "blkio.throttle.read_iops_device").write_text("")
    proc = tmp_path / "cgroup"
    proc.write_text("7:blkio:/gone\n")            # its own group vanished meanwhile
    model, undo = throttle_reads(str(tmp_path), 3000, None, str(tmp_path / "cg"),
                                 _sysfs_for(tmp_path, tmp_path), str(proc))
    served = undo()
    assert served["reads"] == 0 and "could not be removed" in served["cleanup"]
    assert model["cgroup"] in served["cleanup"] and "warning" in capsys.readouterr().err


@pytest.mark.parametrize("number, said", [(1, "needs root"), (13, "needs root"),
                                          (30, "read-only"), (22, "refused")])
def test_a_refusal_is_said_by_what_it_is(number, said):
    from matching_scale import _refused

    assert said in _refused(OSError(number, "x"))


def test_the_own_group_of_a_process_at_the_root_is_the_root(tmp_path):
    from matching_scale import _group_of_self

    proc = tmp_path / "cgroup"
    proc.write_text("1:name=systemd:/a\n0::/\n")
    assert _group_of_self("", str(proc)) == "" and _group_of_self("blkio", str(proc)) == ""


def test_v2_without_a_controllers_file_has_no_block_io(tmp_path):
    from matching_scale import _hierarchy

    assert _hierarchy(str(tmp_path)) is None
    (tmp_path / "cgroup.controllers").write_text("cpu io\n")
    assert _hierarchy(str(tmp_path)) == "v2"
    (tmp_path / "blkio").mkdir()
    (tmp_path / "blkio" / "blkio.throttle.read_iops_device").write_text("")
    assert _hierarchy(str(tmp_path)) == "v1"


def test_what_stops_a_disk_model_is_said_before_the_build(tmp_path, monkeypatch, capsys):
    import matching_scale

    built = []
    monkeypatch.setattr(matching_scale, "build", lambda args: built.append(args) or {})
    monkeypatch.setattr(matching_scale, "disk_model_problem", lambda index: "it needs root")
    with pytest.raises(SystemExit) as stopped:
        matching_scale.main(["--refs", "10", "--index", "/x", "--cold", "--disk-iops", "3000"])
    assert stopped.value.code == 2 and "it needs root" in capsys.readouterr().err and not built
    with pytest.raises(SystemExit):
        matching_scale.main(["--refs", "10", "--index", "/x", "--cold", "--disk-mib-s", "1e-7"])
    assert "below a byte a second" in capsys.readouterr().err


def test_a_disk_model_problem_is_looked_for_where_the_index_will_be(tmp_path, monkeypatch):
    import matching_scale

    cg = tmp_path / "cg"
    cg.mkdir()
    monkeypatch.setattr(matching_scale.os, "geteuid", lambda: 1000)
    assert "need root" in matching_scale.disk_model_problem(str(tmp_path / "new"), str(cg))
    monkeypatch.setattr(matching_scale.os, "geteuid", lambda: 0)
    assert "no block-IO control group" in matching_scale.disk_model_problem(str(tmp_path), str(cg))
    (cg / "cgroup.controllers").write_text("io\n")
    asked = []
    monkeypatch.setattr(matching_scale, "block_device", lambda path: asked.append(path) or "8:0")
    assert matching_scale.disk_model_problem(str(tmp_path / "a" / "b"), str(cg)) is None
    assert asked == [str(tmp_path.resolve())]       # the nearest folder that exists
    monkeypatch.setattr(matching_scale, "block_device",
                        lambda path: (_ for _ in ()).throw(ValueError("names no block device")))
    assert "names no block device" in matching_scale.disk_model_problem(str(tmp_path), str(cg))


def test_a_searching_process_that_fails_says_why(monkeypatch, capsys):
    import matching_scale

    class Failed:
        stdout, stderr, returncode = "", "error: no block-IO control group under /sys/fs/cgroup", 1

    monkeypatch.setattr(matching_scale, "build", lambda args: {})
    monkeypatch.setattr(matching_scale.subprocess, "run", lambda cmd, **kw: Failed())
    assert matching_scale.main(["--refs", "10", "--index", "/nonexistent"]) == 1
    assert "no block-IO control group" in capsys.readouterr().err
