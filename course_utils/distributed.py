"""Training the dot two-tower on streamed batches, in one process or several workers.

Introduced in notebooks/10_beyond_one_machine.py. Keras 3's `fit` does not run under
`tf.distribute.MultiWorkerMirroredStrategy` (keras-team/keras issue 20585), so the training
step is written out: each replica computes the in-batch softmax loss of its share of the
global batch, `strategy.run` runs it on every replica, and the gradients are summed across
workers by the optimizer. The same loop runs with the default strategy in one process.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from course_utils.config import DEFAULT_SEED
from course_utils.validation import ArgumentTypeError, check_positive_int, check_real


def build_towers(config: dict, n_customer_features: int, n_product_features: int):
    """The two towers of notebook 05's dot two-tower, sized by `config`.

    `config` holds customer_units and product_units (hidden layer sizes) and embedding_dim.
    Returns (customer_tower, product_tower); build them inside `strategy.scope()`.
    """
    from course_utils.model_checks import check_sizes
    from course_utils.models import build_tower

    keys = ["customer_units", "product_units", "embedding_dim"]
    if not isinstance(config, dict) or any(key not in config for key in keys):
        got = sorted(config) if isinstance(config, dict) else type(config).__name__
        raise ValueError(f"config must be a dict with keys {keys}, got {got}")
    dim = check_positive_int("config['embedding_dim']", config["embedding_dim"])
    sizes = {
        side: check_sizes(f"config['{side}_units']", config[f"{side}_units"])
        for side in ("customer", "product")
    }
    n_customer_features = check_positive_int("n_customer_features", n_customer_features)
    n_product_features = check_positive_int("n_product_features", n_product_features)
    return (
        build_tower(n_customer_features, sizes["customer"], dim, "customer"),
        build_tower(n_product_features, sizes["product"], dim, "product"),
    )


def per_worker_dataset(
    shards, customer_features, product_features, global_batch: int, seed: int = DEFAULT_SEED
):
    """The `make_dataset` of `train_towers`: each worker reads its own shards.

    Shards are dealt out in turn (with 8 shards and 2 workers, worker 1 reads shards 1, 3,
    5, 7), and each worker batches its share of every global batch.
    """
    from course_utils.purchase_logs import read_purchases

    shards = [str(path) for path in shards]
    if not shards:
        raise ValueError("shards is empty: there are no shards to read")
    global_batch = check_positive_int("global_batch", global_batch)

    def make_dataset(context):
        mine = shards[context.input_pipeline_id :: context.num_input_pipelines]
        batch = context.get_per_replica_batch_size(global_batch)
        return read_purchases(mine, customer_features, product_features, batch, seed=seed)

    return make_dataset


def show_progress() -> bool:
    """True when the environment asks for progress bars: COURSE_PROGRESS=1 (`make lab`).

    Stored notebook outputs must not hold a progress bar (it changes with every run), so
    by default training prints nothing while it runs; interactively, a person can watch.
    """
    return os.environ.get("COURSE_PROGRESS") == "1"


def train_towers(
    strategy,
    towers,
    make_dataset,
    log_q,
    epochs: int,
    global_batch: int,
    temperature=0.1,
    progress: bool | None = None,
):
    """Train `towers` = (customer_tower, product_tower), built in `strategy.scope()`.

    Args:
        make_dataset: called with a `tf.distribute.InputContext`, returns this worker's
            batches of `input_context.get_per_replica_batch_size(global_batch)` rows.
        log_q: (n_products,) log sampling probability of each product.
        progress: show a Keras progress bar per epoch; None: as `show_progress()` says.
    Returns:
        the mean training loss of each epoch, a list of floats.
    """
    import keras
    import tensorflow as tf

    from course_utils.model_checks import check_flag, check_same_output_size, check_tower
    from course_utils.models import in_batch_softmax_losses

    if not isinstance(towers, (tuple, list)) or len(towers) != 2:
        raise ArgumentTypeError(
            f"towers must be a pair (customer_tower, product_tower), got {type(towers).__name__}"
        )
    customer_tower = check_tower("towers[0] (the customer tower)", towers[0])
    product_tower = check_tower("towers[1] (the product tower)", towers[1])
    check_same_output_size(customer_tower, product_tower)
    if not callable(make_dataset):
        raise ArgumentTypeError(
            "make_dataset must be a function of a tf.distribute.InputContext, "
            f"got {type(make_dataset).__name__}"
        )
    log_q = _check_log_q(log_q)
    epochs = check_positive_int("epochs", epochs)
    global_batch = check_positive_int("global_batch", global_batch)
    temperature = check_real("temperature", temperature, low=0.0, low_inclusive=False)
    progress = show_progress() if progress is None else check_flag("progress", progress)
    variables = customer_tower.trainable_variables + product_tower.trainable_variables
    with strategy.scope():
        optimizer = keras.optimizers.Adam(learning_rate=0.01)
        optimizer.build(variables)
    log_q = tf.constant(log_q, tf.float32)
    dataset = strategy.distribute_datasets_from_function(make_dataset)

    def replica_step(batch):
        with tf.GradientTape() as tape:
            customers = customer_tower(batch["customer"], training=True)
            products = product_tower(batch["product"], training=True)
            logits = tf.matmul(customers, products, transpose_b=True) / temperature
            ids = batch["product_id"]
            losses = in_batch_softmax_losses(logits, ids, tf.gather(log_q, ids))
            loss = tf.reduce_sum(losses) / global_batch  # summed over replicas: the mean
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss

    @tf.function
    def step(batch):
        return strategy.reduce("SUM", strategy.run(replica_step, args=(batch,)), axis=None)

    curve, steps_per_epoch = [], None
    for epoch in range(epochs):
        if progress:
            print(f"Epoch {epoch + 1}/{epochs}", flush=True)
            bar = keras.utils.Progbar(steps_per_epoch, stateful_metrics=["loss"])
        total, steps = 0.0, 0
        for batch in dataset:
            total += float(step(batch))
            steps += 1
            if progress:
                bar.update(steps, values=[("loss", total / steps)])
        if steps == 0:
            raise ValueError("make_dataset gave no batches: fewer rows than one global batch?")
        if progress and steps_per_epoch is None:
            bar.update(steps, values=[("loss", total / steps)], finalize=True)
        steps_per_epoch = steps
        curve.append(total / steps)
    return curve


def _check_log_q(log_q) -> np.ndarray:
    """Return `log_q` if it holds one log probability per product (-inf: never bought)."""
    try:
        array = np.asarray(log_q, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"log_q must be numbers, got {type(log_q).__name__}") from None
    if array.ndim != 1 or not len(array):
        raise ValueError(f"log_q must be 1-D, one value per product, got shape {array.shape}")
    if np.isnan(array).any() or (array > 0).any():
        bad = array[np.isnan(array) | (array > 0)][:3]
        raise ValueError(f"log_q must hold log probabilities (<= 0), got {bad}")
    return array


def free_ports(n: int) -> list[int]:
    """`n` TCP ports on 127.0.0.1 that are free right now."""
    sockets = [socket.socket() for _ in range(check_positive_int("n", n))]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tf_config(ports: list[int], index: int) -> str:
    """The TF_CONFIG of worker `index` in a cluster of workers on 127.0.0.1 `ports`."""
    if not isinstance(ports, (list, tuple)) or not ports:
        raise ValueError(f"ports must be a non-empty list of port numbers, got {ports!r}")
    for port in ports:
        if (
            isinstance(port, bool)
            or not isinstance(port, (int, np.integer))
            or not 0 < port < 2**16
        ):
            raise ValueError(f"ports must hold port numbers 1..65535, got {port!r}")
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise ArgumentTypeError(f"index must be an int, got {index!r}")
    if not 0 <= index < len(ports):
        raise ValueError(f"index must be in 0..{len(ports) - 1}, one per port, got {index}")
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    return json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})


@contextmanager
def worker_processes(n_workers: int, module: str, config_path, log_folder):
    """Start `n_workers` processes of `python -m module config_path`, and always stop them.

    Each gets TF_CONFIG for a cluster on 127.0.0.1 and its own log file. On leaving the
    block, normally or by an exception (a failed cell, an interrupt), every worker still
    running is killed with its process group.

    Yields:
        the list of `subprocess.Popen` objects, worker 0 first.
    """
    n_workers = check_positive_int("n_workers", n_workers)
    log_folder = Path(log_folder)
    log_folder.mkdir(parents=True, exist_ok=True)
    ports = free_ports(n_workers)
    processes = []
    try:
        for index in range(n_workers):
            env = os.environ | {"TF_CONFIG": tf_config(ports, index)}
            with (log_folder / f"worker-{index}.log").open("w") as log:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", module, str(config_path)],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for_workers(processes, timeout: float) -> list[int | None]:
    """Wait until every worker has exited, one has failed, or `timeout` seconds have passed.

    A worker whose peer died would wait for it until the collective ops time out, so
    waiting stops as soon as any worker exits with a non-zero code. Returns the exit codes,
    None for a worker still running (`worker_processes` kills it when its block ends).
    """
    timeout = check_real("timeout", timeout, low=0.0, low_inclusive=False)
    deadline = time.monotonic() + timeout
    while True:
        codes = [process.poll() for process in processes]
        finished = all(code is not None for code in codes)
        if finished or any(code for code in codes) or time.monotonic() > deadline:
            return codes
        time.sleep(0.05)
