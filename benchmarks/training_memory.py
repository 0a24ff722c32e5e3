"""Training from sharded files at full size: peak memory against the pair matrix.

The full world of notebooks/10_beyond_one_machine.py: 100,000 customers x 10,000 products,
20 purchases each (2,000,000 purchases), sampled from the course's taste model a chunk at a
time and written as TFRecord shards to a temporary folder. A child process trains the dot
two-tower on them for one epoch through the `tf.data` pipeline (`course_utils.worker.train`,
default strategy), and its peak resident memory (ru_maxrss, from `os.wait4`) is reported
beside what the seed's pair matrix would take (every pair, 15 float64 features): 120 GB.

The run fails if the child's peak is above 2 GB.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from course_utils import setup

N_CUSTOMERS, N_PRODUCTS = 100_000, 10_000
PER_CUSTOMER = 20
N_SHARDS = 16
N_FEATURES = 5 + 10  # one pair row: customer and product features
TARGET_GB = 2.0
SEED = 0
CONFIG = {
    "customer_units": [32],
    "product_units": [32],
    "embedding_dim": 16,
    "epochs": 1,
    "global_batch": 1024,
    "temperature": 0.1,
    "seed": SEED,
}


def write_world(folder: Path) -> Path:
    """Sample the full world's purchases into shards; returns the child's config file."""
    from course_utils.data import make_taste_model, truncated_normal_features
    from course_utils.purchase_logs import sample_purchases, write_shards

    rng = np.random.default_rng(SEED)
    taste = make_taste_model(seed=SEED)
    customers = truncated_normal_features(N_CUSTOMERS, 5, rng)
    products = truncated_normal_features(N_PRODUCTS, 10, rng)
    popularity = np.zeros(N_PRODUCTS)

    def counting(chunks):
        for chunk in chunks:
            popularity[:] += np.bincount(chunk[:, 1], minlength=N_PRODUCTS)
            yield chunk

    chunks = sample_purchases(taste, customers, products, PER_CUSTOMER, seed=SEED)
    shards = write_shards(counting(chunks), folder / "shards", N_SHARDS)
    log_q = np.log(popularity / popularity.sum()).astype(np.float32)
    np.savez(
        folder / "features.npz", customer_features=customers, product_features=products, log_q=log_q
    )
    config = CONFIG | {"shards": [str(p) for p in shards], "features": str(folder / "features.npz")}
    path = folder / "config.json"
    path.write_text(json.dumps(config))
    return path


def child(config_path: str) -> int:
    """Train one epoch in this process, default strategy; print the loss and steps."""
    setup(seed=SEED)
    import tensorflow as tf

    from course_utils.worker import train

    config = json.loads(Path(config_path).read_text())
    curve, _ = train(config, tf.distribute.get_strategy())
    print(json.dumps({"loss": curve}), flush=True)
    return 0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="training_memory-") as folder:
        start = time.perf_counter()
        config_path = write_world(Path(folder))
        shard_mb = sum(p.stat().st_size for p in Path(folder, "shards").iterdir()) / 1e6
        written = time.perf_counter() - start
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.training_memory", "--child", str(config_path)],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ | {"COURSE_PROGRESS": "0"},
        )
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        trained = time.perf_counter() - start
    if process.returncode != 0:
        print(f"training child failed with exit code {process.returncode}")
        return 1
    loss = json.loads(out.strip().splitlines()[-1])["loss"][0]
    peak_gb = usage.ru_maxrss * 1024 / 1e9  # Linux reports kilobytes
    pairs_gb = N_CUSTOMERS * N_PRODUCTS * N_FEATURES * 8 / 1e9
    print(
        f"Training one epoch from shards: {N_CUSTOMERS:,} customers x {N_PRODUCTS:,} "
        f"products, {N_CUSTOMERS * PER_CUSTOMER:,} purchases in {N_SHARDS} shards "
        f"({shard_mb:.0f} MB)"
    )
    print(f"  sampled and written in {written:.0f} s; trained in {trained:.0f} s, loss {loss:.3f}")
    print(f"  peak memory of training (ru_maxrss): {peak_gb:.2f} GB")
    print(
        f"  the pair matrix (15 float64 features a pair): {pairs_gb:,.0f} GB, "
        f"{pairs_gb / peak_gb:,.0f}x as much"
    )
    ok = peak_gb <= TARGET_GB
    print(f"peak memory at most {TARGET_GB:.0f} GB: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2]))
    sys.exit(main())
