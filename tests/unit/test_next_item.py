"""Notebook 09's protocol and models as a module: the same answers as 09, 09's choices."""

import ast
import re

import numpy as np
import pytest
import scipy.sparse as sp

from course_utils import next_item
from course_utils.next_item import (
    EASE_LAMBDA,
    EPOCHS,
    MARKOV_DECAY,
    ease_scores,
    markov_scores,
    next_item_data,
    popularity_scores,
    recent_history_scores,
    train_recent_history,
    transition_counts,
)
from course_utils.sequences import TEST, TRAIN, VALIDATION
from tests.notebooks.checks import _output_text, cells, notebook_function
from tools.paths import NOTEBOOK_DIR

NEXT_ITEM = NOTEBOOK_DIR / "09_next_item.py"


@pytest.fixture(scope="module")
def data():
    return next_item_data()


def stored_output(start: str) -> str:
    """The stored output of 09's code cell whose source starts with `start`."""
    found = [
        _output_text(cell)
        for cell in cells(NEXT_ITEM.with_suffix(".ipynb"))
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(start)
    ]
    assert len(found) == 1, (start, len(found))
    return found[0]


def printed_choice(text: str, label: str) -> float:
    """The key with the highest value in a printed `label ... {key: value, ...}` line."""
    line = next(line for line in text.splitlines() if line.startswith(label))
    grid = ast.literal_eval(line[line.index("{") :])
    return max(grid, key=grid.get)


def test_the_constants_are_the_choices_08_made_on_validation():
    markov = stored_output("def transition_counts(rows):")
    assert printed_choice(markov, "decayed Markov") == MARKOV_DECAY
    ease = stored_output("unrated = popularity == 0")
    assert printed_choice(ease, "EASE over all movies") == EASE_LAMBDA
    training = stored_output("models, curves, snapshots = {}, {}, {}")
    assert int(re.search(r"-> (\d+) epochs", training).group(1)) == EPOCHS


def test_the_protocol_is_08s(data):
    assert [len(data.blocks[name]) for name in (TRAIN, VALIDATION, TEST)] == [93294, 3355, 3355]
    users = data.event_users(TEST).reshape(-1, next_item.N_TEST)
    assert (users == users[:, :1]).all()  # five consecutive test events per user
    assert users[:, 0].tolist() == list(range(data.movielens.n_users))
    seen = data.seen(TEST)
    assert seen.shape == (3355, data.n_movies)
    targets = data.targets(TEST)
    assert seen[np.arange(len(targets)), targets].sum() == 0  # the target is never "seen"
    assert (data.train_matrix.sum(axis=0).A1 == data.popularity).all()


def _teaching_copies(data):
    """09's own functions, compiled from its .py with the globals they read."""
    namespace = {
        "np": np,
        "sp": sp,
        "sequences": data.sequences,
        "ml": data.movielens,
        "blocks": data.blocks,
        "popularity": data.popularity,
        "MARKOV_LENGTH": next_item.MARKOV_LENGTH,
        "train_matrix": data.train_matrix,
        "seen": {VALIDATION: data.seen(VALIDATION)},
        "unrated": data.popularity == 0,
    }
    for name in ("transition_counts", "markov_scores", "ease_scores", "ease_block"):
        namespace[name] = notebook_function(NEXT_ITEM, name, namespace)
    return namespace


def test_markov_and_ease_score_as_08s_own_functions(data):
    ours = _teaching_copies(data)
    counts = transition_counts(data)
    assert (counts != ours["transition_counts"](data.blocks[TRAIN])).nnz == 0
    for decay in (0.0, MARKOV_DECAY):
        np.testing.assert_allclose(
            markov_scores(data, counts, VALIDATION, decay),
            ours["markov_scores"](counts, VALIDATION, decay),
        )
    np.testing.assert_allclose(
        ease_scores(data, VALIDATION, EASE_LAMBDA), ours["ease_block"](EASE_LAMBDA, VALIDATION)
    )


def test_the_baselines_reach_08s_printed_validation_recall(data):
    recall = {
        "popularity": data.evaluate(popularity_scores(data, VALIDATION), VALIDATION)[0].mean(),
        "first-order Markov": data.evaluate(
            markov_scores(data, transition_counts(data), VALIDATION, 0.0), VALIDATION
        )[0].mean(),
    }
    printed = stored_output("def transition_counts(rows):") + stored_output(
        "popularity = np.asarray(train_matrix.sum(axis=0)).ravel()"
    )
    for name, value in recall.items():
        assert f"{name}, validation recall@10: {value:.3f}" in printed


def test_the_two_tower_learns_as_in_08(data):
    """One epoch of seed 42: 08 prints its validation recall; other CPUs may add in another
    order, so the band is 0.01 wide around it."""
    model = train_recent_history(data, seed=42, epochs=1)
    scores = recent_history_scores(model, data, VALIDATION)
    assert scores.shape == (3355, data.n_movies) and scores.dtype == np.float32
    recall = data.evaluate(scores, VALIDATION)[0].mean()
    training = stored_output("models, curves, snapshots = {}, {}, {}")
    first_epoch = float(re.search(r"seed 42: validation recall@10 by epoch (\S+)", training)[1])
    assert abs(recall - first_epoch) < 0.01, (recall, first_epoch)


def test_user_interval_resamples_whole_users(data):
    hits = np.zeros(data.n_events(TEST))
    hits[:: next_item.N_TEST] = 1  # each user's first test event is a hit: no spread by user
    mean, low, high = data.user_interval(hits)
    assert mean == pytest.approx(0.2) and low == pytest.approx(0.2) and high == pytest.approx(0.2)
    with pytest.raises(ValueError, match="one entry per test event \\(3355\\), got 3354"):
        data.user_interval(hits[:-1])


def test_bad_arguments_are_refused_by_name(data):
    counts = transition_counts(data)
    with pytest.raises(ValueError, match="block must be 'validation' or 'test', got 'train'"):
        data.targets(TRAIN)
    with pytest.raises(ValueError, match="decay must be in \\[0, 1\\], got 1.5"):
        markov_scores(data, counts, VALIDATION, 1.5)
    with pytest.raises(ValueError, match="counts must be a sparse"):
        markov_scores(data, counts.toarray(), VALIDATION)
    with pytest.raises(ValueError, match="regularization"):
        ease_scores(data, VALIDATION, 0.0)
    with pytest.raises(ValueError, match="epochs"):
        train_recent_history(data, seed=1, epochs=0)
