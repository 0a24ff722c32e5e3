"""Every public helper refuses every class of wrong argument, by name, on its first line.

For each helper, each argument and each class of mistake that applies to it (see
`wrong_values`), Hypothesis draws a valid call, makes that one argument wrong in a way of
that class, and the call must raise a ValueError/TypeError from `course_utils` whose first
line names the argument. Nothing may answer (silently wrong), and no NumPy, pandas, Keras
or TensorFlow message may surface in its place (obscure). `course_utils.models` is checked
in tests/unit/test_models.py.
"""

import inspect
import os
import tempfile
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import setup

setup(seed=0)

from course_utils import (  # noqa: E402
    baselines,
    data,
    metrics,
    movielens,
    purchase_logs,
    recommend,
    sequences,
    serving,
)
from course_utils.models import DotTwoTower, build_mlp, build_tower  # noqa: E402
from course_utils.purchase_logs import read_purchases, sample_purchases, write_shards  # noqa: E402
from course_utils.recommend import pair_features, predict_pairs, score_all, top_k  # noqa: E402
from tests.properties.strategies import refused  # noqa: E402
from tests.properties.wrong_values import (  # noqa: E402
    CLASSES,
    wrong_array,
    wrong_fraction,
    wrong_frame,
    wrong_int,
    wrong_real,
    wrong_seed,
)

INTS = ("type", "bool", "nan/inf", "value")
SEEDS = ("type", "bool", "value")
REALS = ("nan/inf", "type", "bool", "dtype", "value")
FRACTIONS = ("value", "nan/inf", "type", "bool")
FEATURES = ("rank", "nan/inf", "dtype", "type")
IDS = ("rank", "ids", "dtype", "bool", "type")
FRAMES = ("type", "width", "empty", "ids", "nan/inf", "dtype", "bool")
TABLES = ("type",)

# Models built once: a wrong call is refused before any of them runs.
MLP = build_mlp(15, (4,))
TOWERS = DotTwoTower(build_tower(5, (4,), 3, name="c"), build_tower(10, (4,), 3, name="p"))
CATALOGUE = np.random.default_rng(0).uniform(-1, 1, (6, 10))
RECOMMENDER = serving.Recommender(TOWERS, CATALOGUE, block_size=4)


class Helper:
    """A public helper: how to call it, a strategy of valid arguments, and what to spoil.

    `wrong` maps each argument to (the classes of mistake it must refuse, a function of
    the valid arguments and a class that returns a strategy of wrong values).
    """

    def __init__(self, call: Callable, valid: st.SearchStrategy, **wrong):
        self.call, self.valid, self.wrong = call, valid, wrong


def array(key, **options):
    return lambda args, kind: wrong_array(args[key], kind, **options)


def integer(largest: Callable | None = None):
    return lambda args, kind: wrong_int(kind, largest=largest(args) if largest else None)


def fewer_than(size: Callable):
    """An int too small for the ids the other arguments hold; other classes as any int."""
    return lambda args, kind: (
        st.integers(-(10**6), size(args) - 1) if kind == "value" else wrong_int(kind)
    )


def mask(args, kind):
    """A wrong exclude mask; None is not wrong (it excludes nothing)."""
    if kind == "type":
        return st.one_of(st.text(max_size=3), st.integers(), st.floats())
    return wrong_array(args["exclude"], kind)


def seed(args, kind):
    return wrong_seed(kind)


def real(low: float | None = None, strictly: bool = False):
    return lambda args, kind: wrong_real(kind, low=low, strictly=strictly)


def fraction(args, kind):
    return wrong_fraction(kind)


def not_a(args, kind):
    """Something else where a PairTable, TasteModel, Recommender's model or rng goes."""
    return st.one_of(st.none(), st.integers(), st.text(max_size=3), st.just(RATINGS))


# --- valid arguments ----------------------------------------------------------------------
seeds = st.integers(0, 2**32 - 1)


@st.composite
def world(draw):
    """n_customers, n_products and a seed: the sizes every valid call is drawn from."""
    return draw(st.integers(2, 5)), draw(st.integers(2, 6)), draw(seeds)


@st.composite
def features(draw, widths=(5, 10)):
    n_c, n_p, s = draw(world())
    rng = np.random.default_rng(s)
    return {
        "customer_features": rng.uniform(-1, 1, (n_c, widths[0])),
        "product_features": rng.uniform(-1, 1, (n_p, widths[1])),
    }


@st.composite
def scores_args(draw, exclude=True):
    n_c, n_p, s = draw(world())
    args = {"scores": np.random.default_rng(s).normal(size=(n_c, n_p))}
    args["k"] = draw(st.integers(1, n_p))
    if exclude:
        args["exclude"] = np.zeros((n_c, n_p), bool)
    return args


@st.composite
def ranking_args(draw):
    n_c, n_p, s = draw(world())
    rng = np.random.default_rng(s)
    width = draw(st.integers(1, n_p))
    return {
        "recommended": np.array([rng.permutation(n_p)[:width] for _ in range(n_c)]),
        "relevance": (rng.random((n_c, n_p)) > 0.5).astype(float),
        "k": draw(st.integers(1, width)),
    }


@st.composite
def tables(draw):
    args = draw(features(widths=(2, 3)))
    n_c, n_p = len(args["customer_features"]), len(args["product_features"])
    targets = np.random.default_rng(n_c).integers(1, 6, (n_c, n_p)).astype(float)
    table = data.pair_table(args["customer_features"], args["product_features"], targets)
    return {"table": table, "targets": targets, **args}


RATINGS = pd.DataFrame(
    {
        "user": [0, 0, 0, 1, 1, 2, 2, 2],
        "movie": [0, 1, 2, 0, 2, 1, 2, 3],
        "rating": np.array([4, 3.5, 5, 2, 1, 3, 4, 4.5], np.float32),
        "timestamp": [1, 2, 3, 1, 2, 5, 6, 7],
    }
)


@st.composite
def ratings(draw):
    rows = draw(st.lists(st.integers(0, 7), min_size=2, max_size=8, unique=True))
    return RATINGS.iloc[sorted(rows)].reset_index(drop=True)


def frame(**columns):
    return lambda args, kind: wrong_frame(args["ratings"], kind, **columns)


SEQUENCES = sequences.order_by_time(RATINGS, 3, 4, seed=0)
TASTE = data.make_taste_model(seed=0)
FIT_TABLE = data.pair_table(np.zeros((6, 1)), np.zeros((4, 1)), np.ones((6, 4)))
BIASES = baselines.fit_biases(FIT_TABLE, 6, 4)
SVD = baselines.fit_svd(FIT_TABLE, 6, 4, 2)
MOVIES = movielens.MovieLens(
    RATINGS,
    np.array(list("abcd")),
    np.array([1990.0, 2000, np.nan, 1995]),
    np.zeros((4, 2), np.float32),
    ["x", "y"],
    np.arange(3),
    np.array([1, 5, 9, 20]),
)


def id_pairs(upper_customers, upper_products):
    @st.composite
    def pairs(draw):
        n = draw(st.integers(1, 5))
        return {
            "customer_ids": np.array(
                draw(st.lists(st.integers(0, upper_customers - 1), min_size=n, max_size=n))
            ),
            "product_ids": np.array(
                draw(st.lists(st.integers(0, upper_products - 1), min_size=n, max_size=n))
            ),
        }

    return pairs()


def in_a_temporary_folder(**args):
    with tempfile.TemporaryDirectory() as folder:
        return write_shards(folder=folder, **args)


# --- the helpers ------------------------------------------------------------------------
def n_products(args):
    return args["scores"].shape[1]


HELPERS = {
    # recommend
    "top_k": Helper(
        top_k,
        scores_args(),
        scores=(("rank", "nan/inf", "dtype", "type", "empty"), array("scores", empty="columns")),
        k=(INTS, integer(n_products)),
        exclude=(("rank", "width", "length", "dtype", "type"), mask),
    ),
    "pair_features": Helper(
        pair_features,
        features(),
        customer_features=(FEATURES, array("customer_features")),
        product_features=(FEATURES, array("product_features")),
    ),
    "predict_pairs": Helper(
        lambda **a: predict_pairs(MLP, **a),
        features().map(lambda a: {"features": pair_features(*a.values())}),
        features=(FEATURES + ("width",), array("features")),
        batch_size=(INTS, integer()),
    ),
    "score_all": Helper(
        lambda **a: score_all(MLP, **a),
        features(),
        customer_features=(FEATURES + ("width",), array("customer_features")),
        product_features=(FEATURES + ("width",), array("product_features")),
        batch_size=(INTS, integer()),
    ),
    # serving
    "top_k_streaming": Helper(
        lambda scores, k: serving.top_k_streaming([scores[:, :1], scores[:, 1:]], k),
        scores_args(exclude=False),
        k=(INTS, integer(n_products)),
    ),
    "top_k_streaming blocks": Helper(
        lambda score_blocks, k: serving.top_k_streaming(score_blocks, k),
        scores_args(exclude=False).map(lambda a: {"score_blocks": [a["scores"]], "k": 1}),
        score_blocks=(("type",), lambda args, kind: st.one_of(st.none(), st.integers())),
    ),
    "top_k_dot": Helper(
        serving.top_k_dot,
        features(widths=(3, 3)).map(
            lambda a: {
                "customer_vectors": a["customer_features"],
                "product_vectors": a["product_features"],
                "k": 1,
            }
        ),
        customer_vectors=(FEATURES + ("width",), array("customer_vectors")),
        product_vectors=(FEATURES + ("width", "empty"), array("product_vectors")),
        k=(INTS, integer(lambda a: len(a["product_vectors"]))),
        block_size=(INTS, integer()),
    ),
    "inner_product_to_euclidean": Helper(
        serving.inner_product_to_euclidean,
        features(widths=(3, 3)).map(
            lambda a: {
                "customer_vectors": a["customer_features"],
                "product_vectors": a["product_features"],
            }
        ),
        customer_vectors=(FEATURES + ("width",), array("customer_vectors")),
        product_vectors=(FEATURES + ("width", "empty"), array("product_vectors")),
    ),
    "Recommender": Helper(
        lambda **a: serving.Recommender(a.pop("model", TOWERS), **a),
        features().map(lambda a: {"product_features": a["product_features"]}),
        product_features=(FEATURES + ("width", "empty"), array("product_features")),
        block_size=(INTS, integer()),
        model=(("type",), not_a),
    ),
    "Recommender.recommend": Helper(
        RECOMMENDER.recommend,
        features().map(lambda a: {"customer_features": a["customer_features"], "k": 2}),
        customer_features=(FEATURES + ("width",), array("customer_features")),
        k=(INTS, integer(lambda a: len(CATALOGUE))),
    ),
    "Recommender.recommend exclude": Helper(
        RECOMMENDER.recommend,
        world().map(
            lambda w: {
                "customer_features": np.zeros((w[0], 5)),
                "k": 1,
                "exclude": np.zeros((w[0], 6), bool),
            }
        ),
        exclude=(("width", "length"), array("exclude")),
    ),
    "Recommender.add_products": Helper(
        lambda product_features: serving.Recommender(TOWERS, CATALOGUE).add_products(
            product_features
        ),
        features().map(lambda a: {"product_features": a["product_features"]}),
        product_features=(FEATURES + ("width", "empty"), array("product_features")),
    ),
    # metrics
    "rmse": Helper(
        metrics.rmse,
        st.integers(1, 6).map(lambda n: {"y_true": np.ones(n), "y_pred": np.zeros(n)}),
        y_true=(FEATURES + ("length", "empty"), array("y_true")),
        y_pred=(FEATURES + ("length",), array("y_pred")),
    ),
    **{
        metric.__name__: Helper(
            metric,
            ranking_args(),
            recommended=(IDS + ("length", "empty"), array("recommended", upper=100)),
            relevance=(
                FEATURES + ("length", "value"),
                lambda a, kind: (
                    st.floats(0.5, 5).map(lambda d, r=a["relevance"]: r - d)
                    if kind == "value"
                    else wrong_array(a["relevance"], kind)
                ),
            ),
            k=(INTS, integer(lambda a: a["recommended"].shape[1])),
        )
        for metric in (
            metrics.precision_at_k,
            metrics.recall_at_k,
            metrics.hit_rate_at_k,
            metrics.ndcg_at_k,
            metrics.map_at_k,
        )
    },
    "catalogue_coverage": Helper(
        metrics.catalogue_coverage,
        ranking_args().map(
            lambda a: {"recommended": a["recommended"], "n_products": a["relevance"].shape[1]}
        ),
        recommended=(IDS + ("empty",), array("recommended", upper=100)),
        n_products=(INTS, fewer_than(lambda a: int(a["recommended"].max()) + 1)),
    ),
    "novelty": Helper(
        metrics.novelty,
        ranking_args().map(
            lambda a: {
                "recommended": a["recommended"],
                "counts": np.arange(a["relevance"].shape[1]) % (len(a["relevance"]) + 1),
                "n_customers": len(a["relevance"]),
            }
        ),
        recommended=(IDS + ("empty",), array("recommended", upper=100)),
        counts=(
            FEATURES + ("value",),
            lambda a, kind: (
                st.sampled_from([-1, a["n_customers"] + 1]).map(
                    lambda bad, c=a["counts"]: np.r_[c[:-1], bad]
                )
                if kind == "value"
                else wrong_array(a["counts"], kind)
            ),
        ),
        n_customers=(INTS, fewer_than(lambda a: int(a["counts"].max()))),
    ),
    "intra_list_diversity": Helper(
        metrics.intra_list_diversity,
        ranking_args()
        .filter(lambda a: a["recommended"].shape[1] >= 2)
        .map(
            lambda a: {
                "recommended": a["recommended"],
                "features": np.random.default_rng(0).normal(size=(a["relevance"].shape[1], 3)),
            }
        ),
        recommended=(IDS + ("empty",), array("recommended", upper=100)),
        features=(FEATURES, array("features")),
    ),
    "average_popularity": Helper(
        metrics.average_popularity,
        ranking_args().map(
            lambda a: {
                "recommended": a["recommended"],
                "popularity": np.arange(a["relevance"].shape[1], dtype=float),
            }
        ),
        recommended=(IDS + ("empty",), array("recommended", upper=100)),
        popularity=(
            FEATURES + ("value",),
            lambda a, kind: (
                st.floats(0.5, 5).map(lambda d, p=a["popularity"]: p - p.max() - d)
                if kind == "value"
                else wrong_array(a["popularity"], kind)
            ),
        ),
    ),
    "overlap_at_k": Helper(
        metrics.overlap_at_k,
        ranking_args().map(
            lambda a: {"found": a["recommended"], "reference": a["recommended"][::-1]}
        ),
        found=(IDS + ("width", "empty"), array("found")),
        reference=(IDS + ("width",), array("reference")),
    ),
    "top_k_relevance": Helper(
        metrics.top_k_relevance,
        scores_args(exclude=False).map(lambda a: {"true_scores": a["scores"], "k": a["k"]}),
        true_scores=(
            ("rank", "nan/inf", "dtype", "type", "empty"),
            array("true_scores", empty="columns"),
        ),
        k=(INTS, integer(lambda a: a["true_scores"].shape[1])),
    ),
    # data
    "truncated_normal_features": Helper(
        data.truncated_normal_features,
        st.just({"n_rows": 3, "n_features": 2, "rng": np.random.default_rng(0)}),
        n_rows=(INTS, integer()),
        n_features=(INTS, integer()),
        rng=(("type",), not_a),
    ),
    "star_distribution": Helper(
        data.star_distribution,
        features().map(lambda a: {"latent": a["customer_features"] + 3, "noise_sd": 0.5}),
        latent=(("nan/inf", "dtype", "type"), array("latent")),
        noise_sd=(REALS, real(low=0.0, strictly=True)),
    ),
    "TasteModel.latent": Helper(
        TASTE.latent,
        features(),
        customer_features=(FEATURES + ("width",), array("customer_features")),
        product_features=(FEATURES + ("width",), array("product_features")),
    ),
    **{
        f"TasteModel.{method}": Helper(
            getattr(TASTE, method),
            features(),
            customer_features=(FEATURES + ("width",), array("customer_features")),
            product_features=(FEATURES + ("width",), array("product_features")),
        )
        for method in ("expected_ratings", "rating_variance", "purchase_probability")
    },
    "make_taste_model": Helper(
        data.make_taste_model,
        st.just({}),
        n_customer_features=(INTS, integer()),
        n_product_features=(INTS, integer()),
        n_factors=(INTS, integer()),
        noise_sd=(REALS, real(low=0.0, strictly=True)),
        seed=(SEEDS, seed),
    ),
    "make_world": Helper(
        data.make_world,
        world().map(lambda w: {"n_customers": w[0], "n_products": w[1], "seed": w[2]}),
        n_customers=(INTS, integer()),
        n_products=(INTS, integer()),
        seed=(SEEDS, seed),
    ),
    "PairTable": Helper(
        data.PairTable,
        tables().map(lambda a: dict(vars(a["table"]))),
        customer_ids=(IDS + ("length",), array("customer_ids")),
        product_ids=(IDS + ("length",), array("product_ids")),
        customer_x=(FEATURES + ("length",), array("customer_x")),
        product_x=(FEATURES + ("length",), array("product_x")),
        y=(FEATURES + ("length",), array("y")),
    ),
    "PairTable.take": Helper(
        lambda table, rows: table.take(rows),
        tables().map(lambda a: {"table": a["table"], "rows": np.arange(len(a["table"]))}),
        rows=(IDS, lambda a, kind: wrong_array(a["rows"], kind, upper=len(a["table"]))),
    ),
    "pair_table": Helper(
        data.pair_table,
        tables().map(
            lambda a: {k: a[k] for k in ("customer_features", "product_features", "targets")}
        ),
        customer_features=(FEATURES, array("customer_features")),
        product_features=(FEATURES, array("product_features")),
        targets=(FEATURES + ("width", "length"), array("targets")),
    ),
    "sample_pairs": Helper(
        data.sample_pairs,
        tables().map(
            lambda a: (
                {k: a[k] for k in ("customer_features", "product_features", "targets")}
                | {"per_customer": 1}
            )
        ),
        customer_features=(FEATURES, array("customer_features")),
        targets=(FEATURES + ("width", "length"), array("targets")),
        per_customer=(INTS, integer(lambda a: len(a["product_features"]))),
        seed=(SEEDS, seed),
    ),
    "split_pairs": Helper(
        data.split_pairs,
        tables().map(lambda a: {"table": a["table"], "test_fraction": 0.5}),
        table=(TABLES, not_a),
        test_fraction=(FRACTIONS, fraction),
        seed=(SEEDS, seed),
    ),
    "split_customers": Helper(
        data.split_customers,
        tables().map(lambda a: {"table": a["table"], "test_fraction": 0.5}),
        table=(TABLES, not_a),
        test_fraction=(FRACTIONS, fraction),
        seed=(SEEDS, seed),
    ),
    "to_matrix": Helper(
        data.to_matrix,
        tables().map(
            lambda a: {
                "table": a["table"],
                "n_customers": len(a["targets"]),
                "n_products": a["targets"].shape[1],
            }
        ),
        table=(TABLES, not_a),
        n_customers=(INTS, fewer_than(lambda a: a["n_customers"])),
        n_products=(INTS, fewer_than(lambda a: a["n_products"])),
    ),
    # movielens
    "MovieLens.to_contiguous": Helper(
        MOVIES.to_contiguous,
        st.lists(st.sampled_from([1, 5, 9, 20]), min_size=1, max_size=4).map(
            lambda ids: {"movielens_movie_ids": np.array(ids)}
        ),
        movielens_movie_ids=(IDS, array("movielens_movie_ids", upper=21)),
    ),
    "split_known": Helper(
        movielens.split_known,
        ratings().map(lambda r: {"ratings": r}),
        ratings=(FRAMES, frame(ids=("user", "movie"), numbers=("rating", "timestamp"))),
        test_fraction=(FRACTIONS, fraction),
        seed=(SEEDS, seed),
    ),
    "split_last": Helper(
        movielens.split_last,
        ratings().map(lambda r: {"ratings": r}),
        ratings=(FRAMES, frame(ids=("user", "movie"), numbers=("rating", "timestamp"))),
    ),
    "as_pair_table": Helper(
        movielens.as_pair_table,
        ratings().map(lambda r: {"ratings": r}),
        ratings=(FRAMES, frame(ids=("user", "movie"), numbers=("rating", "timestamp"))),
    ),
    # baselines
    "BiasModel.predict": Helper(
        BIASES.predict,
        id_pairs(6, 4),
        customer_ids=(IDS + ("length",), array("customer_ids", upper=6)),
        product_ids=(IDS + ("length",), array("product_ids", upper=4)),
    ),
    "FactorModel.predict": Helper(
        SVD.predict,
        id_pairs(6, 4),
        customer_ids=(IDS + ("length",), array("customer_ids", upper=6)),
        product_ids=(IDS + ("length",), array("product_ids", upper=4)),
    ),
    "fit_biases": Helper(
        baselines.fit_biases,
        st.just({"train": FIT_TABLE, "n_customers": 6, "n_products": 4}),
        train=(TABLES, not_a),
        n_customers=(INTS, fewer_than(lambda a: 6)),
        n_products=(INTS, fewer_than(lambda a: 4)),
        regularization=(REALS, real(low=0.0)),
        n_sweeps=(INTS, integer()),
    ),
    "fit_svd": Helper(
        baselines.fit_svd,
        st.just({"train": FIT_TABLE, "n_customers": 6, "n_products": 4, "rank": 2}),
        train=(TABLES, not_a),
        rank=(INTS, integer(lambda a: 4)),
        n_iterations=(INTS, integer()),
        regularization=(REALS, real(low=0.0)),
    ),
    "fit_als": Helper(
        baselines.fit_als,
        st.just(
            {
                "train": FIT_TABLE,
                "n_customers": 6,
                "n_products": 4,
                "rank": 2,
                "regularization": 0.1,
            }
        ),
        train=(TABLES, not_a),
        n_customers=(INTS, fewer_than(lambda a: 6)),
        rank=(INTS, integer()),
        regularization=(REALS, real(low=0.0, strictly=True)),
        bias_regularization=(REALS, real(low=0.0)),
        n_sweeps=(INTS, integer()),
        seed=(SEEDS, seed),
    ),
    # sequences
    "order_by_time": Helper(
        sequences.order_by_time,
        ratings().map(lambda r: {"ratings": r.drop(columns="rating"), "n_users": 3, "n_movies": 4}),
        ratings=(FRAMES, frame(ids=("user", "movie"), numbers=("timestamp",))),
        n_users=(INTS, fewer_than(lambda a: int(a["ratings"]["user"].max()) + 1)),
        n_movies=(INTS, fewer_than(lambda a: int(a["ratings"]["movie"].max()) + 1)),
        seed=(SEEDS, seed),
    ),
    "Sequences.histories": Helper(
        SEQUENCES.histories,
        st.lists(st.integers(0, 7), min_size=1, max_size=5).map(
            lambda r: {"rows": np.array(r), "length": 2}
        ),
        rows=(IDS, array("rows", upper=8)),
        length=(INTS, integer()),
    ),
    "Sequences.block": Helper(
        SEQUENCES.block,
        st.sampled_from([sequences.TRAIN, sequences.VALIDATION, sequences.TEST]).map(
            lambda name: {"name": name}
        ),
        name=(
            ("type", "value"),
            lambda a, kind: (
                st.text(max_size=5) if kind == "value" else st.one_of(st.none(), st.integers())
            ),
        ),
        n_test=(INTS, integer()),
        n_validation=(INTS, integer()),
    ),
    "Sequences.matrix": Helper(
        SEQUENCES.matrix,
        st.lists(st.integers(0, 7), min_size=1, max_size=5).map(lambda r: {"rows": np.array(r)}),
        rows=(IDS, array("rows", upper=8)),
    ),
    "Sequences.seen": Helper(
        SEQUENCES.seen,
        st.lists(st.integers(0, 7), min_size=1, max_size=5).map(lambda r: {"rows": np.array(r)}),
        rows=(IDS, array("rows", upper=8)),
    ),
    "target_ranks": Helper(
        sequences.target_ranks,
        scores_args().map(
            lambda a: {
                "scores": a["scores"],
                "exclude": a["exclude"],
                "targets": np.zeros(len(a["scores"]), int),
            }
        ),
        scores=(FEATURES + ("length",), array("scores")),
        exclude=(("rank", "width", "dtype", "type"), array("exclude")),
        targets=(
            IDS + ("length",),
            lambda a, kind: wrong_array(a["targets"], kind, upper=a["scores"].shape[1]),
        ),
    ),
    "hits_and_gains": Helper(
        sequences.hits_and_gains,
        st.lists(st.integers(1, 20), min_size=1, max_size=6).map(
            lambda r: {"ranks": np.array(r), "k": 3}
        ),
        ranks=(IDS, array("ranks")),
        k=(INTS, integer()),
    ),
    "bootstrap_interval": Helper(
        sequences.bootstrap_interval,
        st.lists(st.floats(0, 1), min_size=2, max_size=6).map(
            lambda v: {"values": np.array(v), "n_resamples": 20}
        ),
        values=(FEATURES + ("empty",), array("values")),
        n_resamples=(INTS, integer()),
        seed=(SEEDS, seed),
    ),
    # purchase logs
    "sample_purchases": Helper(
        sample_purchases,
        features().map(lambda a: a | {"taste": TASTE, "per_customer": 1}),
        taste=(("type",), not_a),
        customer_features=(FEATURES + ("width",), array("customer_features")),
        product_features=(FEATURES + ("width",), array("product_features")),
        per_customer=(INTS, integer(lambda a: len(a["product_features"]))),
        chunk_customers=(INTS, integer()),
        seed=(SEEDS, seed),
    ),
    "read_purchases": Helper(
        read_purchases,
        features().map(lambda a: a | {"paths": ["a.tfrecord"], "batch_size": 2}),
        paths=(
            ("type", "empty"),
            lambda a, kind: (
                st.just([]) if kind == "empty" else st.one_of(st.none(), st.text(max_size=3))
            ),
        ),
        customer_features=(FEATURES, array("customer_features")),
        batch_size=(INTS, integer()),
        shuffle_buffer=(INTS, integer()),
        seed=(SEEDS, seed),
    ),
    "write_shards": Helper(
        lambda chunks, n_shards: in_a_temporary_folder(chunks=[chunks], n_shards=n_shards),
        st.lists(st.integers(0, 9), min_size=2, max_size=8).map(
            lambda ids: {"chunks": np.array(ids[: len(ids) // 2 * 2]).reshape(-1, 2), "n_shards": 2}
        ),
        chunks=(("rank", "width", "ids", "nan/inf", "dtype"), array("chunks")),
        n_shards=(INTS, integer()),
    ),
}

# The argument names a message may use instead of the parameter's own.
ALIASES = {"chunks": ("chunk",), "score_blocks": ("score_blocks",)}

CASES = [
    (name, argument, kind)
    for name, helper in HELPERS.items()
    for argument, (kinds, _) in helper.wrong.items()
    for kind in kinds
]


# Public callables with no argument to spoil, or not called by learners with arguments:
# results built by the helpers above (dataclasses), loaders with no argument, validators.
NOT_CALLED_WITH_ARGUMENTS = {
    "TasteModel": "built by make_taste_model",
    "SyntheticWorld": "built by make_world",
    "MovieLens": "built by load_movielens",
    "MovieLens.movie_features": "no argument",
    "load_movielens": "no argument",
    "BiasModel": "built by fit_biases",
    "BiasModel.predict_matrix": "no argument",
    "FactorModel": "built by fit_svd and fit_als",
    "Sequences": "built by order_by_time",
    "check_table": "a validator, used by the helpers that take a table",
}
MODULES = (data, movielens, recommend, serving, metrics, baselines, sequences, purchase_logs)


def public_callables() -> set[str]:
    """Every public function, class and method the modules define: `name`, `Class.method`."""
    names = set()
    for module in MODULES:
        for name, value in vars(module).items():
            if not public(name) or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value) or inspect.isclass(value):
                names.add(name)
            if inspect.isclass(value):
                names |= {
                    f"{name}.{method}"
                    for method, function in vars(value).items()
                    if public(method) and inspect.isfunction(function)
                }
    return names


def public(name: str) -> bool:
    """Not private, and not one of the copies `make mutants` adds (`x_ndcg_at_k__mutmut_8`)."""
    return not name.startswith("_") and "__mutmut_" not in name


def test_every_class_is_tried_and_every_public_helper_is_in_the_catalogue():
    assert {kind for _, _, kind in CASES} == set(CLASSES)
    catalogued = {name.split()[0] for name in HELPERS}
    assert public_callables() - catalogued - set(NOT_CALLED_WITH_ARGUMENTS) == set()
    assert catalogued - public_callables() == set()  # a renamed helper is noticed


@pytest.mark.parametrize(("name", "argument", "kind"), CASES, ids=[" ".join(c) for c in CASES])
@settings(max_examples=int(os.environ.get("WRONG_CALLS_EXAMPLES", 8)))
@given(data=st.data())
def test_a_wrong_argument_is_refused_by_name(name, argument, kind, data):
    helper = HELPERS[name]
    args = dict(data.draw(helper.valid, label="valid arguments"))
    kinds, wrong = helper.wrong[argument]
    args[argument] = data.draw(wrong(args, kind), label=f"wrong {argument} ({kind})")
    refused(lambda: helper.call(**args), argument, *ALIASES.get(argument, ()))
