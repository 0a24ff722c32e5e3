"""Training the dot two-tower on streamed batches, in one process or several workers.

Introduced in notebooks/09_beyond_one_machine.py. Keras 3's `fit` does not run under
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

from course_utils.validation import check_positive_int


def in_batch_softmax_losses(customer_vectors, product_vectors, product_ids, log_q, temperature):
    """Per-row in-batch softmax loss, (batch,): notebook 05's loss, as a plain function.

    logits = customers @ products.T / temperature - log q(product) (the logQ correction);
    a product appearing twice in the batch is not a negative for the row that bought it.
    """
    import tensorflow as tf

    logits = tf.matmul(customer_vectors, product_vectors, transpose_b=True) / temperature
    logits = logits - tf.gather(log_q, product_ids)[None, :]
    same = tf.equal(product_ids[:, None], product_ids[None, :])
    accidental = tf.logical_and(same, tf.logical_not(tf.eye(tf.shape(logits)[0], dtype=tf.bool)))
    logits = tf.where(accidental, tf.constant(-1e9, logits.dtype), logits)
    labels = tf.range(tf.shape(logits)[0])
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)


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

    epochs = check_positive_int("epochs", epochs)
    global_batch = check_positive_int("global_batch", global_batch)
    progress = show_progress() if progress is None else bool(progress)
    customer_tower, product_tower = towers
    variables = customer_tower.trainable_variables + product_tower.trainable_variables
    with strategy.scope():
        optimizer = keras.optimizers.Adam(learning_rate=0.01)
        optimizer.build(variables)
    log_q = tf.constant(log_q, tf.float32)
    dataset = strategy.distribute_datasets_from_function(make_dataset)

    def replica_step(batch):
        with tf.GradientTape() as tape:
            losses = in_batch_softmax_losses(
                customer_tower(batch["customer"], training=True),
                product_tower(batch["product"], training=True),
                batch["product_id"],
                log_q,
                temperature,
            )
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
    if timeout <= 0:
        raise ValueError(f"timeout must be positive seconds, got {timeout!r}")
    deadline = time.monotonic() + timeout
    while True:
        codes = [process.poll() for process in processes]
        finished = all(code is not None for code in codes)
        if finished or any(code for code in codes) or time.monotonic() > deadline:
            return codes
        time.sleep(0.05)
