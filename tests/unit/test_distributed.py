"""The training step, the training loop, and worker processes that are always stopped."""

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from course_utils.data import make_taste_model, truncated_normal_features
from course_utils.distributed import (
    build_towers,
    free_ports,
    per_worker_dataset,
    tf_config,
    train_towers,
    wait_for_workers,
    worker_processes,
)
from course_utils.purchase_logs import read_purchases, sample_purchases, write_shards


@pytest.fixture(scope="module")
def tiny_shards(tmp_path_factory):
    rng = np.random.default_rng(0)
    taste = make_taste_model(seed=0)
    customers = truncated_normal_features(200, 5, rng)
    products = truncated_normal_features(40, 10, rng)
    pairs = np.concatenate(list(sample_purchases(taste, customers, products, 5)))
    log_q = np.log(np.bincount(pairs[:, 1], minlength=40) / len(pairs) + 1e-6)
    chunks = sample_purchases(taste, customers, products, 5)
    paths = write_shards(chunks, tmp_path_factory.mktemp("shards"), 2)
    return paths, customers, products, log_q.astype(np.float32)


def test_train_towers_lowers_the_loss_in_one_process(tiny_shards, capsys):
    import keras
    import tensorflow as tf

    paths, customers, products, log_q = tiny_shards
    make_dataset = per_worker_dataset(paths, customers, products, 50, seed=1)
    keras.utils.set_random_seed(0)
    config = {"customer_units": [16], "product_units": [16], "embedding_dim": 8}
    towers = build_towers(config, 5, 10)
    strategy = tf.distribute.get_strategy()
    curve = train_towers(strategy, towers, make_dataset, log_q, 4, 50, progress=False)
    assert len(curve) == 4 and all(np.isfinite(curve))
    assert curve[-1] < curve[0] - 0.05
    assert capsys.readouterr().out == ""  # no progress bar unless asked


def test_each_worker_reads_its_own_shards_and_its_share_of_a_batch(tiny_shards, tmp_path):
    """Notebook 10's one process and the worker processes use this one function."""
    import tensorflow as tf

    from course_utils import worker

    _, customers, products, _ = tiny_shards
    chunks = sample_purchases(make_taste_model(seed=0), customers, products, 5, 50)
    paths = write_shards(chunks, tmp_path, 2)  # 4 chunks of 250 purchases, 2 in each shard
    make_dataset = per_worker_dataset(paths, customers, products, 20, seed=1)

    def pairs(dataset):
        return {
            (c, p)
            for batch in dataset
            for c, p in zip(batch["customer_id"].numpy(), batch["product_id"].numpy(), strict=True)
        }

    for index, shard in enumerate(paths):
        context = tf.distribute.InputContext(2, index, 2)  # 2 workers, 1 replica each
        mine = make_dataset(context)
        assert next(iter(mine))["customer"].shape == (10, 5)  # half of the global batch
        assert pairs(mine) <= pairs(read_purchases([shard], customers, products, 10))
        assert not pairs(mine) & pairs(read_purchases([paths[1 - index]], customers, products, 10))
    assert worker.per_worker_dataset is per_worker_dataset  # the worker uses the same one


def test_progress_bar_only_when_asked(tiny_shards, capsys, monkeypatch):
    import tensorflow as tf

    from course_utils.distributed import show_progress

    paths, customers, products, log_q = tiny_shards
    monkeypatch.delenv("COURSE_PROGRESS", raising=False)
    assert not show_progress()
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    assert show_progress()
    config = {"customer_units": [4], "product_units": [4], "embedding_dim": 2}
    towers = build_towers(config, 5, 10)

    def make_dataset(context):
        return read_purchases(paths, customers, products, 250)

    train_towers(tf.distribute.get_strategy(), towers, make_dataset, log_q, 2, 250)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "loss" in out


def test_train_towers_refuses_an_empty_dataset(tiny_shards):
    import tensorflow as tf

    paths, customers, products, log_q = tiny_shards
    config = {"customer_units": [4], "product_units": [4], "embedding_dim": 2}
    towers = build_towers(config, 5, 10)

    def too_big(context):
        return read_purchases(paths, customers, products, 5000)  # more than the 1,000 rows

    with pytest.raises(ValueError, match="no batches"):
        train_towers(tf.distribute.get_strategy(), towers, too_big, log_q, 1, 5000, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        train_towers(tf.distribute.get_strategy(), towers, too_big, log_q, 0, 5000)


def test_tf_config_names_every_worker_on_localhost():
    ports = free_ports(3)
    assert len(set(ports)) == 3
    config = json.loads(tf_config(ports, 2))
    assert config["cluster"]["worker"] == [f"127.0.0.1:{port}" for port in ports]
    assert config["task"] == {"type": "worker", "index": 2}


SLEEPER = """
import os, subprocess, sys, time
from pathlib import Path
folder = Path(sys.argv[1]).parent
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
index = __import__("json").loads(os.environ["TF_CONFIG"])["task"]["index"]
(folder / f"started-{index}.json").write_text(
    __import__("json").dumps({"tf_config": os.environ["TF_CONFIG"], "child": child.pid}))
time.sleep(600)
"""


def gone(pid):
    """True once `pid` has exited (no such process, or a zombie waiting to be reaped)."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" in status.read_text()
    except FileNotFoundError:
        return True


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def sleeper(tmp_path, monkeypatch):
    (tmp_path / "sleeper_module.py").write_text(SLEEPER)
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    return tmp_path


def started(folder, n):
    files = [folder / f"started-{i}.json" for i in range(n)]
    assert wait_for(lambda: all(file.exists() and file.read_text() for file in files))
    return [json.loads(file.read_text()) for file in files]


@pytest.mark.parametrize("leave_by", ["the end of the block", "an exception"])
def test_worker_processes_are_always_killed(sleeper, leave_by):
    config = sleeper / "config.json"
    with pytest.raises(RuntimeError) if leave_by == "an exception" else _nothing():
        with worker_processes(2, "sleeper_module", config, sleeper / "logs") as workers:
            info = started(sleeper, 2)
            assert all(worker.poll() is None for worker in workers)
            if leave_by == "an exception":
                raise RuntimeError("a cell failed")
    assert all(worker.poll() is not None for worker in workers)
    assert all(wait_for(lambda pid=item["child"]: gone(pid)) for item in info)  # whole group
    addresses = json.loads(info[0]["tf_config"])["cluster"]["worker"]
    assert len(addresses) == 2 and all(a.startswith("127.0.0.1:") for a in addresses)
    assert [json.loads(item["tf_config"])["task"]["index"] for item in info] == [0, 1]
    assert sorted(p.name for p in (sleeper / "logs").iterdir()) == ["worker-0.log", "worker-1.log"]


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_worker_processes_rejects_bad_counts(tmp_path):
    with pytest.raises(ValueError, match="n_workers"):
        with worker_processes(0, "sleeper_module", tmp_path / "c.json", tmp_path):
            pass


def test_waiting_stops_as_soon_as_one_worker_fails(sleeper):
    (sleeper / "failing_module.py").write_text(
        "import json, os, sys, time\n"
        "if json.loads(os.environ['TF_CONFIG'])['task']['index'] == 1:\n"
        "    sys.exit(3)\n"
        "time.sleep(600)\n"
    )
    start = time.monotonic()
    with worker_processes(2, "failing_module", sleeper / "c.json", sleeper / "logs") as workers:
        codes = wait_for_workers(workers, timeout=60)
    assert codes == [None, 3]
    assert time.monotonic() - start < 30
    assert all(worker.poll() is not None for worker in workers)
    with pytest.raises(ValueError, match="timeout"):
        wait_for_workers(workers, timeout=0)
