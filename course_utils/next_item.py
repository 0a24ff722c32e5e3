"""Notebook 09's next-item protocol and models, for the notebooks that build on them.

Introduced in notebooks/09_next_item.py, which writes each piece out to teach it: the
protocol (each user's last 5 ratings are test events, the 5 before them validation
events), the decayed Markov chain, EASE over all movies through the Woodbury identity, and
the two-tower whose user tower reads the last 20 movies with learned position weights.
Notebooks 11 (a ranker on top of a retriever) and 12 (beyond accuracy) use them from here.
The constants are 09's choices on its validation block; tests/unit/test_next_item.py
checks them against 09's stored outputs, and 09's own functions against these.

Call `course_utils.setup()` before importing this module: it imports Keras.
"""

from dataclasses import dataclass

import keras
import numpy as np
import scipy.sparse as sp

from course_utils.config import DEFAULT_SEED
from course_utils.models import InBatchSoftmax
from course_utils.movielens import MovieLens, load_movielens
from course_utils.sequences import (
    TEST,
    TRAIN,
    VALIDATION,
    Sequences,
    bootstrap_interval,
    hits_and_gains,
    order_by_time,
    target_ranks,
)
from course_utils.validation import as_matrix, check_positive_int, check_real, check_seed

N_TEST = 5  # each user's last 5 ratings are test events
N_VALIDATION = 5  # the 5 before them are validation events
MARKOV_LENGTH = 10  # the decayed Markov chain reads the last 10 movies
MARKOV_DECAY = 0.8  # its weight per step back, chosen on validation in 09
EASE_LAMBDA = 10.0  # EASE's regularisation, chosen on validation in 09
HISTORY = 20  # the two-tower's user tower reads the last 20 movies
EMBEDDING_DIM = 32
LEARNING_RATE = 0.015
BATCH_SIZE = 1024
EPOCHS = 4  # chosen on validation in 09, on the mean curve of three training seeds
EVALUATED = (VALIDATION, TEST)


def _check_block(block) -> str:
    if block not in EVALUATED:
        raise ValueError(f"block must be {VALIDATION!r} or {TEST!r}, got {block!r}")
    return block


@dataclass(frozen=True)
class NextItemData:
    """MovieLens in time order, split into training, validation and test events.

    An event asks which movie the user rated next; it is ranked among all movies except
    those the user rated before it. Score matrices are (events, movies), one row per event
    of the block, in the block's order: user by user, each user's events in time order.
    """

    movielens: MovieLens
    sequences: Sequences
    blocks: dict  # TRAIN, VALIDATION, TEST: rows of `sequences`, in order
    train_matrix: sp.csr_matrix  # (users, movies) 0/1: who rated what in training
    popularity: np.ndarray  # (movies,) training ratings per movie
    n_test: int = N_TEST  # each user's last n_test ratings are the test block

    @property
    def n_movies(self) -> int:
        return self.sequences.n_movies

    def n_events(self, block) -> int:
        return len(self.blocks[_check_block(block)])

    def targets(self, block) -> np.ndarray:
        """(events,) the movie each event's user rated next: the one to find."""
        return self.sequences.movies[self.blocks[_check_block(block)]]

    def event_users(self, block) -> np.ndarray:
        """(events,) each event's user; a user's events are consecutive."""
        return self.sequences.users[self.blocks[_check_block(block)]]

    def histories(self, block, length: int = HISTORY) -> np.ndarray:
        """(events, length) the movies rated just before each event, id + 1, 0 pads."""
        return self.sequences.histories(self.blocks[_check_block(block)], length)

    def seen(self, block) -> sp.csr_matrix:
        """(events, movies) 0/1: what each event's user rated before it (never ranked)."""
        return self.sequences.seen(self.blocks[_check_block(block)])

    def ranks(self, scores, block) -> np.ndarray:
        """(events,) each target's rank (1 = best) among the movies its user has not rated."""
        exclude = self.seen(block).toarray() > 0
        return target_ranks(scores, exclude, self.targets(block))

    def evaluate(self, scores, block, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Per event: recall@k (a hit, 0 or 1) and NDCG@k of a (events, movies) score matrix."""
        return hits_and_gains(self.ranks(scores, block), k)

    def user_interval(self, values, block=TEST, n_resamples: int = 1000, seed=DEFAULT_SEED):
        """Mean of per-event `values` and its 95% bootstrap interval, resampling users.

        A user's events are not independent (a taste a model misses, it misses every time),
        so each resample draws users, each with all of their events.
        """
        values = as_matrix("values", values, ndim=1)
        per_user = self.n_test if _check_block(block) == TEST else N_VALIDATION
        if len(values) != self.n_events(block):
            raise ValueError(
                f"values must have one entry per {block} event ({self.n_events(block)}), "
                f"got {len(values)}"
            )
        return bootstrap_interval(values.reshape(-1, per_user).mean(axis=1), n_resamples, seed)


def next_item_data(seed: int = DEFAULT_SEED) -> NextItemData:
    """09's protocol: MovieLens ordered by time (ties broken at random with `seed`)."""
    movielens = load_movielens()
    sequences = order_by_time(
        movielens.ratings, movielens.n_users, movielens.n_movies, seed=check_seed("seed", seed)
    )
    return split_sequences(movielens, sequences)


def split_sequences(movielens: MovieLens, sequences: Sequences, n_test: int = N_TEST):
    """The blocks of `sequences`: each user's last `n_test` ratings are test events, the
    N_VALIDATION before them validation events, the rest training, with its matrix and
    popularity. Notebook 11 holds out 10, so that the 5 before them, all from 09's training
    block, are events a ranker can learn from."""
    n_test = check_positive_int("n_test", n_test)
    blocks = {name: sequences.block(name, n_test, N_VALIDATION) for name in (TRAIN, *EVALUATED)}
    train_matrix = sequences.matrix(blocks[TRAIN])
    popularity = np.asarray(train_matrix.sum(axis=0)).ravel()
    return NextItemData(movielens, sequences, blocks, train_matrix, popularity, n_test)


def popularity_scores(data: NextItemData, block) -> np.ndarray:
    """(events, movies): every event gets the training counts."""
    return np.tile(data.popularity.astype(np.float32), (data.n_events(block), 1))


def transition_counts(data: NextItemData) -> sp.csr_matrix:
    """(movies, movies) sparse: how often movie b was rated right after movie a in training."""
    rows = data.blocks[TRAIN]
    sequences = data.sequences
    after = rows[sequences.first[rows] < rows]  # ratings with an earlier one of the same user
    pairs = (sequences.movies[after - 1], sequences.movies[after])
    shape = (data.n_movies, data.n_movies)
    return sp.csr_matrix((np.ones(len(after)), pairs), shape=shape)


def markov_scores(
    data: NextItemData, counts, block, decay: float = MARKOV_DECAY, length: int = MARKOV_LENGTH
) -> np.ndarray:
    """(events, movies): the counts after each event's last `length` movies, the k-th movie
    back weighted decay^(k-1) (decay 0: the first-order chain), backed off to popularity."""
    decay = check_real("decay", decay, low=0.0)
    if decay > 1:
        raise ValueError(f"decay must be in [0, 1], got {decay}")
    if not sp.issparse(counts) or counts.shape != (data.n_movies, data.n_movies):
        raise ValueError(
            f"counts must be a sparse ({data.n_movies}, {data.n_movies}) matrix from "
            f"transition_counts, got {type(counts).__name__} of shape {np.shape(counts)}"
        )
    history = data.histories(block, check_positive_int("length", length))[:, ::-1]
    weights = decay ** np.arange(length) * (history > 0)  # 0.0 ** 0 = 1: decay 0 reads one
    events = np.repeat(np.arange(len(history)), length)
    movies = np.maximum(history - 1, 0).ravel()  # padding has weight 0: any id will do
    recent = sp.csr_matrix((weights.ravel(), (events, movies)), shape=(len(history), data.n_movies))
    ties = data.popularity / (data.popularity.max() + 1)  # less than one count
    return (recent @ counts).toarray() + ties


def ease_scores(data: NextItemData, block, regularization: float = EASE_LAMBDA) -> np.ndarray:
    """(events, movies): EASE's h B for each event's history h, through the users.

    The Woodbury identity turns the (movies x movies) inverse into a (users x users) one.
    Scores are exact for the movies not in h (the only ones ranked); movies without a
    training rating get -1e9, since EASE has no weights for them.
    """
    regularization = check_real("regularization", regularization, low=0.0, low_inclusive=False)
    matrix, history = data.train_matrix, data.seen(block)
    users_gram = (matrix @ matrix.T).toarray()  # XXᵀ
    inner = np.linalg.inv(users_gram + regularization * np.eye(len(users_gram)))  # M
    inner_x = (matrix.T @ inner).T  # M X
    own = np.asarray(matrix.multiply(inner_x).sum(axis=0)).ravel()  # diag(XᵀMX), each < 1
    scores = (matrix.T @ ((history @ matrix.T).toarray() @ inner).T).T  # h Xᵀ M X
    scores /= 1 - own  # in place: one (events, movies) array, not two
    scores[:, data.popularity == 0] = -1e9
    return scores


class RecentHistory(keras.layers.Layer):
    """The user tower: a weighted average of the last movies' vectors, then a Dense layer.

    One learned weight per position (a softmax over `length` logits, starting equal), so
    training can find that the movie rated just before matters more. Input (batch, length)
    movie id + 1, 0 for padding, which gets no weight; output (batch, dim).
    """

    def __init__(self, n_movies, dim, length, **kwargs):
        super().__init__(**kwargs)
        self.movie_vectors = keras.layers.Embedding(n_movies + 1, dim)
        self.position_logits = self.add_weight(
            shape=(length,), initializer="zeros", name="positions"
        )
        self.dense = keras.layers.Dense(dim)

    def position_weights(self):
        return keras.ops.softmax(self.position_logits)  # (length,), sums to 1

    def call(self, history):
        present = keras.ops.cast(history > 0, "float32")
        weights = present * self.position_weights()[None, :]
        weights = weights / (keras.ops.sum(weights, axis=1, keepdims=True) + 1e-9)
        vectors = self.movie_vectors(history)  # (batch, length, dim)
        return self.dense(keras.ops.sum(weights[..., None] * vectors, axis=1))


def train_recent_history(data: NextItemData, seed: int, epochs: int = EPOCHS) -> InBatchSoftmax:
    """09's ordered two-tower, trained on (history, next movie) pairs of the training block
    with in-batch softmax and the logQ correction, one epoch per `fit` as 09 does."""
    epochs = check_positive_int("epochs", epochs)
    keras.utils.set_random_seed(check_seed("seed", seed))
    sequences, rows = data.sequences, data.blocks[TRAIN]
    rows = rows[sequences.first[rows] < rows]  # a training rating with a history
    inputs = {
        "customer": sequences.histories(rows, HISTORY),
        "product": sequences.movies[rows, None],
        "product_id": sequences.movies[rows],
    }
    user_tower = RecentHistory(data.n_movies, EMBEDDING_DIM, HISTORY)
    movie_tower = keras.Sequential(
        [keras.layers.Embedding(data.n_movies, EMBEDDING_DIM), keras.layers.Flatten()]
    )
    model = InBatchSoftmax(user_tower, movie_tower, data.popularity / data.popularity.sum())
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), steps_per_execution=50)
    for _ in range(epochs):
        model.fit(inputs, epochs=1, batch_size=BATCH_SIZE, shuffle=True, verbose=0)
    return model


def recent_history_scores(model: InBatchSoftmax, data: NextItemData, block) -> np.ndarray:
    """(events, movies) float32: each event's user vector against every movie's vector."""
    users = keras.ops.convert_to_numpy(model.customer_tower(data.histories(block, HISTORY)))
    movies = np.arange(data.n_movies)[:, None]
    return users @ keras.ops.convert_to_numpy(model.product_tower(movies)).T
