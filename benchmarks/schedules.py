"""The training schedules of notebooks 05 and 06: the old ones against the faster ones.

Notebooks 05 and 06 once trained with slower schedules: 05 its MLP and concatenating
models at the seed's batch of 32 for 10 epochs, and its dot-product models for 20 epochs;
06 its rating MLPs and its retrieval model at Adam's default learning rate, and its ALS for
15 sweeps. The notebooks now use the faster schedules below. This script trains each model
both ways, side by side in one run, and scores both on validation data, never on a test
set:

- 05: a fifth of the training customers held out as new customers (MSE / noise floor);
- 06: the notebook's own validation ratings (RMSE) and hidden second-latest movies
  (recall@10). Notebook 06's code is run here, cell by cell, up to what these need, so
  its models are exactly the notebook's.

Each line reports both scores and the training time of each. The run fails if a faster
schedule scores worse than the old one by more than the tolerance, or is not faster.
`python -m benchmarks.schedules` (part of `make bench`; about two minutes on two cores).
"""

import contextlib
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

from course_utils import setup

ROOT = Path(__file__).resolve().parents[1]
SEED = 42
MSE_TOLERANCE = 0.01  # in units of the noise floor
RMSE_TOLERANCE = 0.002  # in stars
RECALL_TOLERANCE = 0.01  # recall@10: one validation standard error is about 0.01

# (batch size, epochs, Adam's learning rate)
SEED_SCHEDULE = (32, 10, 0.001)
OLD_DOT_SCHEDULE = (256, 20, 0.001)
NEW_SCHEDULE_05 = (256, 10, 0.003)


def timed(train, *args):
    """(what `train(*args)` returns, wall seconds it took)."""
    start = time.perf_counter()
    result = train(*args)
    return result, time.perf_counter() - start


def verdict(name, old, new, old_seconds, new_seconds, tolerance, higher_is_better=False):
    """Print one comparison; True if the new schedule is as good (within tolerance), faster."""
    worse_by = (old - new) if higher_is_better else (new - old)
    ok = worse_by <= tolerance and new_seconds < old_seconds
    print(
        f"{name:<34} old {old:.4f} in {old_seconds:5.1f} s | new {new:.4f} in "
        f"{new_seconds:5.1f} s | {old_seconds / new_seconds:4.1f}x faster | "
        f"{'ok' if ok else 'MISSED'}",
        flush=True,
    )
    return ok


def notebook_05() -> bool:
    import keras

    from course_utils.data import make_world, pair_table, split_customers
    from course_utils.models import ConcatTwoTower, DotTwoTower, build_mlp, build_tower

    world = make_world(seed=SEED)
    table = pair_table(world.customer_features, world.product_features, world.ratings)
    train, _ = split_customers(table, 0.2, seed=SEED)  # the notebook's test set stays unused
    fit, validation = split_customers(train, 0.2, seed=SEED + 1)

    def rating_model(kind):
        if kind == "MLP":
            return build_mlp(15)
        if kind.startswith("concat"):
            head = () if kind == "concat, seed's head" else (32,)
            return ConcatTwoTower(build_tower(5, (32,)), build_tower(10, (32,)), head)
        return DotTwoTower(build_tower(5, (32,), 16), build_tower(10, (32,), 16))

    def mse_ratio(kind, schedule):
        batch_size, epochs, learning_rate = schedule
        keras.utils.set_random_seed(SEED)
        model = rating_model(kind)
        model.compile(
            loss="mse", optimizer=keras.optimizers.Adam(learning_rate), steps_per_execution=500
        )
        x, x_validation = (
            (fit.features, validation.features)
            if kind == "MLP"
            else (fit.tower_inputs, validation.tower_inputs)
        )
        model.fit(x, fit.y, epochs=epochs, batch_size=batch_size, verbose=0)
        predicted = keras.ops.convert_to_numpy(model(x_validation, training=False))[:, 0]
        return float(np.mean((predicted - validation.y) ** 2) / world.noise_floor)

    print("notebook 05: validation MSE / noise floor (lower is better)")
    ok = True
    for kind in ("MLP", "concat, seed's head", "concat, 32-unit head", "dot-product"):
        old_schedule = OLD_DOT_SCHEDULE if kind == "dot-product" else SEED_SCHEDULE
        old, old_seconds = timed(mse_ratio, kind, old_schedule)
        new, new_seconds = timed(mse_ratio, kind, NEW_SCHEDULE_05)
        ok &= verdict(kind, old, new, old_seconds, new_seconds, MSE_TOLERANCE)

    return ok


class Notebook:
    """A notebook's code, run here cell by cell in one namespace, its output hidden."""

    def __init__(self, path: Path):
        import jupytext

        self.path = path
        self.cells = [c.source for c in jupytext.read(path).cells if c.cell_type == "code"]
        self.namespace = {"__name__": "__notebook__"}

    def run(self, cell_source: str) -> None:
        here = Path.cwd()
        os.chdir(self.path.parent)  # as Jupyter runs it
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(cell_source, str(self.path), "exec"), self.namespace)
        finally:
            os.chdir(here)

    def cell(self, text: str) -> str:
        """The one code cell containing `text`."""
        found = [source for source in self.cells if text in source]
        if len(found) != 1:
            raise ValueError(f"{len(found)} code cells of {self.path.name} contain {text!r}")
        return found[0]

    def run_until(self, text: str) -> None:
        """Run every code cell before the one containing `text`."""
        stop = self.cells.index(self.cell(text))
        for source in self.cells[:stop]:
            self.run(source)

    def run_with(self, text: str, **constants):
        """Run the cell containing `text` with `constants` set first; (namespace, seconds)."""
        self.namespace.update(constants)
        start = time.perf_counter()
        self.run(self.cell(text))
        return self.namespace, time.perf_counter() - start


def notebook_06() -> bool:
    notebook = Notebook(ROOT / "notebooks" / "06_movielens.py")
    notebook.run_until("mlp_runs =")  # the data, splits, effects, ALS, the MLP's functions
    ns = notebook.namespace
    print("notebook 06: validation RMSE (lower is better)")

    def als_rmse(sweeps):
        model, _ = ns["als"](ns["fit_t"], ns["als_rank"], ns["als_lambda"], sweeps=sweeps)
        return ns["rmse_of"](model, ns["validation_t"])

    old, old_seconds = timed(als_rmse, 15)
    new, new_seconds = timed(als_rmse, ns["ALS_SWEEPS"])
    ok = verdict(
        f"ALS, 15 -> {ns['ALS_SWEEPS']} sweeps", old, new, old_seconds, new_seconds, RMSE_TOLERANCE
    )

    def old_and_new(text, score, old_constants, new_constants):
        """Run the cell containing `text` with the old constants, then with the new ones:
        (old score, new score, old seconds, new seconds), as `verdict` takes them."""
        scores, seconds = [], []
        for constants in (old_constants, new_constants):
            namespace, took = notebook.run_with(text, **constants)
            scores.append(score(namespace))  # now: the next run changes the namespace
            seconds.append(took)
        return (*scores, *seconds)

    def best_mlp(ns):
        return min(ns["best_epoch"](curves)[1] for _, curves in ns["mlp_runs"].values())

    old_rate, new_rate = {"LEARNING_RATE": 0.001}, {"LEARNING_RATE": ns["LEARNING_RATE"]}
    rates = f"0.001 -> {ns['LEARNING_RATE']}"
    comparison = old_and_new("mlp_runs =", best_mlp, old_rate, new_rate)
    ok &= verdict(f"MLP, learning rate {rates}", *comparison, RMSE_TOLERANCE)

    def history_score(ns):
        return ns["history_score"]

    notebook.run(notebook.cell("class Watched"))
    comparison = old_and_new("history_mlp, history_curves =", history_score, old_rate, new_rate)
    ok &= verdict(f"MLP + history, {rates}", *comparison, RMSE_TOLERANCE)

    print("notebook 06: validation recall@10 of the retrieval model (higher is better)")
    notebook.run(notebook.cell("def user_tower"))
    notebook.run(notebook.cell("def top_lists"))
    new_schedule = {
        name: ns[name]
        for name in ("LEARNING_RATE", "RETRIEVAL_MAX_EPOCHS", "RETRIEVAL_CHECK_EVERY")
    }
    temperature = ns["TEMPERATURE"]
    old_schedule = {"LEARNING_RATE": 0.001, "RETRIEVAL_MAX_EPOCHS": 10, "RETRIEVAL_CHECK_EVERY": 5}

    def best_recall(ns):
        return max(recall for recall, _ in ns["checkpoints"].values())

    comparison = old_and_new("retriever = InBatchSoftmax(", best_recall, old_schedule, new_schedule)
    ok &= verdict("in-batch softmax", *comparison, RECALL_TOLERANCE, higher_is_better=True)
    by_temperature = {temperature: comparison[1]}  # the new schedule's recall
    for other in (temperature / 2, temperature * 2):
        ns, _ = notebook.run_with("retriever = InBatchSoftmax(", TEMPERATURE=other)
        by_temperature[other] = best_recall(ns)
    ns["TEMPERATURE"] = temperature
    best = max(by_temperature, key=by_temperature.get)
    print(
        "  by temperature:",
        ", ".join(f"{t:g}: {r:.3f}" for t, r in by_temperature.items()),
        f"| the notebook's {temperature:g} is the best: {best == temperature}",
    )
    return ok and best == temperature


def main() -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")  # notebook 06's cells draw plots
    setup(seed=SEED)
    ok = notebook_05()
    ok &= notebook_06()
    print("every faster schedule is as good on validation:", ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
