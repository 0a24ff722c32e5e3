"""One training worker: `python -m course_utils.worker CONFIG.json`, with TF_CONFIG set.

Introduced in notebooks/10_beyond_one_machine.py, which starts two of these with
`distributed.worker_processes`. Each reads its own shards, trains its replica of the
towers in step with the others (MultiWorkerMirroredStrategy), and worker 0, the chief,
saves the towers and the loss curve into the config's `output` folder.

CONFIG.json holds: shards (paths), features (an .npz with customer_features,
product_features, log_q), customer_units, product_units, embedding_dim, epochs,
global_batch, temperature, seed, output.
"""

import json
import sys
from pathlib import Path

from course_utils.distributed import build_towers, per_worker_dataset, train_towers


def train(config: dict, strategy) -> tuple[list[float], tuple]:
    """Build the towers in `strategy.scope()` and train them on this worker's shards."""
    import numpy as np

    tables = np.load(config["features"])
    customers, products = tables["customer_features"], tables["product_features"]
    make_dataset = per_worker_dataset(
        config["shards"], customers, products, config["global_batch"], config["seed"]
    )
    with strategy.scope():
        towers = build_towers(config, customers.shape[1], products.shape[1])
    curve = train_towers(
        strategy,
        towers,
        make_dataset,
        tables["log_q"],
        config["epochs"],
        config["global_batch"],
        config["temperature"],
        progress=False,  # a worker's output goes to its log file
    )
    return curve, towers


def main(config_path: str) -> int:
    from course_utils import setup

    config = json.loads(Path(config_path).read_text())
    setup(seed=config["seed"])
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    curve, (customer_tower, product_tower) = train(config, strategy)
    if strategy.cluster_resolver.task_id == 0:  # the chief saves; the others only train
        output = Path(config["output"])
        output.mkdir(parents=True, exist_ok=True)
        customer_tower.save(output / "customer_tower.keras")
        product_tower.save(output / "product_tower.keras")
        (output / "curve.json").write_text(json.dumps(curve))
    losses = " ".join(f"{loss:.3f}" for loss in curve)
    print(f"worker {strategy.cluster_resolver.task_id} done: loss by epoch {losses}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
