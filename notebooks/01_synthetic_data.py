# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 01 · Synthetic data with a signal to find
#
# To know whether a model learns, we need data where we know the answer. The notebook this
# course grew from simulated customers and products, but drew every rating at random, so no
# model could learn anything from it; and it paired each row of features with another
# pair's rating. This notebook shows both mistakes, then builds a world with a hidden,
# recoverable taste and a **noise floor**: the lowest error any model can reach.
#
# **Learning goals**
#
# - See why random ratings teach nothing: the best model predicts the mean.
# - Spot the tile/repeat pairing mistake, and build the pair table correctly.
# - Generate ratings from a hidden non-linear taste plus noise, and compute the noise floor.
# - Split data two ways: random pairs, and held-out customers (cold start).

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Setup

# %% slideshow={"slide_type": "skip"}
from course_utils import setup

setup(seed=42)

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import truncnorm

from course_utils.data import (
    make_world,
    pair_table,
    split_customers,
    split_pairs,
    star_distribution,
)

# %% [markdown] slideshow={"slide_type": "skip"}
# One parameters cell: the seed notebook's sizes, and the noise of our world.

# %% slideshow={"slide_type": "skip"}
SEED = 42
N_CUSTOMERS = 1000
N_PRODUCTS = 50
N_CUSTOMER_FEATURES = 5
N_PRODUCT_FEATURES = 10
NOISE_SD = 0.5  # standard deviation of the noise added to each rating, in stars
TEST_FRACTION = 0.2

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The seed's recipe, and why it cannot teach
#
# The seed draws features from a **truncated normal** (a standard normal with every draw
# outside [-1, 1] thrown away) and ratings with `randint(1, 6)`, independently of every
# feature.

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(SEED)
seed_customers = truncnorm.rvs(-1, 1, size=(N_CUSTOMERS, N_CUSTOMER_FEATURES), random_state=rng)
seed_products = truncnorm.rvs(-1, 1, size=(N_PRODUCTS, N_PRODUCT_FEATURES), random_state=rng)
seed_ratings = rng.integers(1, 6, size=(N_CUSTOMERS, N_PRODUCTS))
print("features within", seed_customers.min().round(2), "and", seed_customers.max().round(2))
print("ratings", np.unique(seed_ratings).tolist())

# %% [markdown] slideshow={"slide_type": "subslide"}
# A rating drawn at random knows nothing of the features, so the best any model can do is
# predict the average rating, 3. Its **mean squared error** (MSE: the mean of
# (prediction - rating)², the loss every model of this course minimises) is then the
# ratings' **variance** (their mean squared distance from their own mean), which for five
# equally likely stars is $(5^2 - 1)/12 = 2$. No feature correlates with the ratings:

# %% slideshow={"slide_type": "-"}
best_possible_mse = seed_ratings.var()
correlations = [
    np.corrcoef(seed_customers[:, f], seed_ratings.mean(axis=1))[0, 1]
    for f in range(N_CUSTOMER_FEATURES)
]
print(f"MSE of always predicting the mean: {best_possible_mse:.3f}")
print("correlation of each customer feature with that customer's mean rating:")
print(np.round(correlations, 2))
assert abs(best_possible_mse - 2.0) < 0.05

# %% [markdown] slideshow={"slide_type": "subslide"}
# When the seed notebook was run as written, its MLP (notebook 03 builds it) reached a test
# MSE of 2.03 against a variance of the test ratings of 2.01: it learned nothing, because
# there was nothing to learn. The simplest model shows the same in a second: **least
# squares**, the linear model whose weights minimise the training MSE, fitted on 80% of the
# pairs (the pair table is built as section 2 explains) and measured on the other 20%.

# %% slideshow={"slide_type": "-"}
seed_table = pair_table(seed_customers, seed_products, seed_ratings)
seed_train, seed_test = split_pairs(seed_table, TEST_FRACTION, seed=SEED)


def with_intercept(table):
    """The pair features with a column of ones in front, for the intercept."""
    return np.column_stack([np.ones(len(table)), table.features])


weights, *_ = np.linalg.lstsq(with_intercept(seed_train), seed_train.y, rcond=None)
least_squares_mse = np.mean((with_intercept(seed_test) @ weights - seed_test.y) ** 2)
print(f"least squares on the 15 features: test MSE {least_squares_mse:.3f}")
print(f"variance of the test ratings:              {seed_test.y.var():.3f}")
assert least_squares_mse > 0.99 * seed_test.y.var()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The seed's pairing mistake
#
# The seed builds one row per (customer, product) pair by stacking
# `np.tile(customers, (n_products, 1))` beside `np.repeat(products, n_customers, axis=0)`,
# then takes labels from `ratings.reshape(-1)`. Both look right, and the shapes agree. On
# a world small enough to read (3 customers, 2 products, each feature equal to its id):

# %% slideshow={"slide_type": "-"}
tiny_customers = np.arange(3).reshape(3, 1)  # customer i has feature i
tiny_products = np.arange(2).reshape(2, 1)  # product j has feature j
tiny_ratings = np.array([["c0p0", "c0p1"], ["c1p0", "c1p1"], ["c2p0", "c2p1"]])

seed_X = np.concatenate(
    [np.tile(tiny_customers, (2, 1)), np.repeat(tiny_products, 3, axis=0)], axis=1
)
seed_y = tiny_ratings.reshape(-1)
for row in range(6):
    customer, product = seed_X[row]
    print(f"row {row}: features of customer {customer}, product {product} -> label {seed_y[row]}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# `tile` cycles the customers (row r is customer r % 3) and `repeat` holds each product
# (row r is product r // 3): the features are **product-major**. `reshape(-1)` reads the
# ratings matrix row by row, **customer-major**: label r belongs to customer r // 2,
# product r % 2. Only rows 0 and 5 agree. Count it:

# %% slideshow={"slide_type": "-"}
labels_match = [seed_y[r] == f"c{seed_X[r, 0]}p{seed_X[r, 1]}" for r in range(6)]
print("rows whose label belongs to their features:", sum(labels_match), "of 6")
assert sum(labels_match) == 2

# %% [markdown] slideshow={"slide_type": "subslide"}
# At the seed's size the same count, done with row numbers alone: row r has the features of
# customer r % 1000 and product r // 1000, and the label of customer r // 50 and product
# r % 50.

# %% slideshow={"slide_type": "-"}
rows = np.arange(N_CUSTOMERS * N_PRODUCTS)
features_pair = (rows % N_CUSTOMERS, rows // N_CUSTOMERS)
labels_pair = (rows // N_PRODUCTS, rows % N_PRODUCTS)
n_matching = np.sum((features_pair[0] == labels_pair[0]) & (features_pair[1] == labels_pair[1]))
print(f"seed rows whose label belongs to their features: {n_matching} of {rows.size}")
assert n_matching == 2

# %% [markdown] slideshow={"slide_type": "subslide"}
# The fix is to build features in the same order as the labels: customer-major, with
# `repeat` for customers and `tile` for products. `course_utils.data.pair_table` does
# exactly that, so row `i * n_products + j` is always (customer i, product j):

# %% slideshow={"slide_type": "-"}
tiny_table = pair_table(tiny_customers, tiny_products, np.arange(6).reshape(3, 2))
for row in range(6):
    print(
        f"row {row}: customer {tiny_table.customer_x[row, 0]:.0f}, "
        f"product {tiny_table.product_x[row, 0]:.0f} -> label ratings[{row // 2}, {row % 2}]"
        f" = {tiny_table.y[row]:.0f}"
    )

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. A world with a taste to learn
#
# `make_world` keeps the seed's sizes and features, and adds what it lacked: a hidden
# **taste model**. Each customer's taste is a point in a 3-dimensional **latent space** (a
# few hidden numbers per customer that no one observes),
# `tanh(customer_features @ W_c)`; each product's profile is another,
# `tanh(product_features @ W_p)`. Their dot product says how well they match; each
# customer and product also has a non-linear bias. Gaussian noise (`NOISE_SD`) is added, and
# the result is rounded and clipped to 1-5 stars. The models never see this rule, only features
# and ratings: that is the signal they must recover.

# %% slideshow={"slide_type": "subslide"}
world = make_world(
    n_customers=N_CUSTOMERS,
    n_products=N_PRODUCTS,
    n_customer_features=N_CUSTOMER_FEATURES,
    n_product_features=N_PRODUCT_FEATURES,
    noise_sd=NOISE_SD,
    seed=SEED,
)
print("customer features", world.customer_features.shape)
print("product features ", world.product_features.shape)
print("ratings          ", world.ratings.shape)
stars, counts = np.unique(world.ratings, return_counts=True)
shares = np.round(counts / counts.sum(), 3).tolist()
print("share of each star:", dict(zip(stars.tolist(), shares, strict=True)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The ratings matrix has structure now. On the left the observed stars, on the right the
# **expected rating** E[stars | features] behind them (the average star a pair would get
# over many draws of the noise), for the first 40 customers:

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, matrix, title in [
    (axes[0], world.ratings[:40], "observed stars"),
    (axes[1], world.expected[:40], "expected rating (hidden)"),
]:
    image = ax.imshow(matrix, cmap="viridis", vmin=1, vmax=5, aspect="auto")
    ax.set(title=title, xlabel="product", ylabel="customer")
    ax.grid(False)
fig.colorbar(image, ax=axes, label="stars")
plt.show()
shown = np.corrcoef(world.ratings[:40].ravel(), world.expected[:40].ravel())[0, 1]
print(f"first 40 customers: mean observed {world.ratings[:40].mean():.3f}, "
      f"mean expected {world.expected[:40].mean():.3f}, correlation {shown:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The noise floor
#
# Noise is, by definition, what the features cannot predict. For each pair we know the
# probability of every star value given the features, so we know its variance. The mean of
# those variances is the **noise floor**: the expected MSE of the best possible model, one
# that predicts E[stars | features] exactly. It is computed from the taste model, not
# assumed, and the oracle that knows the hidden rule scores it up to sampling error.

# %% slideshow={"slide_type": "-"}
oracle_mse = np.mean((world.expected - world.ratings) ** 2)
mean_mse = world.ratings.var()
print(f"noise floor (computed):             {world.noise_floor:.3f}")
print(f"oracle MSE (predicts E[stars|x]):   {oracle_mse:.3f}")
print(f"MSE of always predicting the mean:  {mean_mse:.3f}")
print(f"share of the variance a model can explain: {1 - world.noise_floor / mean_mse:.0%}")
assert abs(oracle_mse - world.noise_floor) < 0.02

# %% [markdown] slideshow={"slide_type": "subslide"}
# So a model that learns the taste should approach 0.322 from the mean's 0.922; one that
# learns nothing stays at 0.922. Notebook 03 trains the seed's MLP against this scale.
#
# The world also has **implicit feedback**: each customer buys each product with a
# probability that grows with how much they like it (their relative purchase frequency,
# in [0, 1]), and `world.purchases` records one 0/1 draw per pair.

# %% slideshow={"slide_type": "-"}
print(f"purchase probability from {world.purchase_probability.min():.3f} "
      f"to {world.purchase_probability.max():.3f}")
print(f"share of pairs bought: {world.purchases.mean():.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The pair table, built once and checked cell by cell
#
# The models of notebooks 03 and 05 train on one row per (customer, product) pair.
# `pair_table` builds it; here we check every one of its 50,000 rows against the ratings
# matrix, the check the seed never made.

# %% slideshow={"slide_type": "-"}
table = pair_table(world.customer_features, world.product_features, world.ratings)
i, j = table.customer_ids, table.product_ids
assert np.array_equal(table.customer_x, world.customer_features[i])
assert np.array_equal(table.product_x, world.product_features[j])
assert np.array_equal(table.y, world.ratings[i, j])
assert np.array_equal(i * N_PRODUCTS + j, np.arange(len(table)))
print(f"{len(table)} rows, features {table.features.shape}: every row checked")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Two ways to hold data out
#
# - **Random pairs**: 20% of all pairs. Every test customer also has ratings in training;
#   this is the usual "fill in the matrix" task.
# - **Held-out customers**: every rating of 20% of the customers. These customers are new
#   to the model, as a customer who just signed up is: the **cold-start** case.

# %% slideshow={"slide_type": "-"}
train_pairs, test_pairs = split_pairs(table, TEST_FRACTION, seed=SEED)
train_customers, test_customers = split_customers(table, TEST_FRACTION, seed=SEED)
shared = np.intersect1d(train_customers.customer_ids, test_customers.customer_ids)
print(f"random pairs:       train {len(train_pairs)}, test {len(test_pairs)}")
print(f"held-out customers: train {len(train_customers)}, test {len(test_customers)}, "
      f"customers in both: {shared.size}")
assert shared.size == 0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Random ratings have no signal: the seed's MLP scored 2.03 against a variance of 2.01,
#   and least squares here scores 1.996 against a variance of 1.996. The best any model can do is
#   predict the mean.
# - `tile` beside `repeat` pairs features product-major while `reshape(-1)` reads labels
#   customer-major: in the seed, 2 rows of 50,000 had their own label. `pair_table` builds
#   rows customer-major, and every row is checked.
# - Our world hides a non-linear taste; its noise floor (0.322) is computed, and the oracle
#   reaches it (0.324), while predicting the mean scores 0.922.
# - Held-out customers are the cold-start test: no rating of theirs is seen in training.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1 (coding, checked): build the pair table yourself
#
# Write `pair_rows(customer_features, product_features, ratings)` returning `(X, y)`, one
# row per (customer, product) pair in customer-major order: row `i * n_products + j` holds
# customer i's features, then product j's, and `y` in that row is `ratings[i, j]`.
# *Hint:* each customer's row is repeated once per product (`np.repeat(..., axis=0)`), the
# whole product list is tiled once per customer (`np.tile`), and `ratings.reshape(-1)`
# reads the matrix in the same order.

# %% slideshow={"slide_type": "skip"}
def pair_rows(customer_features, product_features, ratings):
    """(X, y) with row i * n_products + j = (customer i's features, product j's), ratings[i, j]."""
    raise NotImplementedError("Exercise 1: replace this line with your code")


# %% slideshow={"slide_type": "skip"}
from course_utils.exercises.pairing import check_pair_rows

check_pair_rows(pair_rows)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2 (coding, checked): the noise floor from the star probabilities
#
# For each pair, the taste model knows the probability of 1, 2, 3, 4 and 5 stars:
# `star_distribution(latent, noise_sd)` returns them along a last axis of length 5. Write
# `noise_floor(probabilities)`, the mean over all pairs of each pair's variance of stars,
# for an array of any shape `(..., 5)`.
# *Hint:* a pair's mean is `probabilities @ stars` with `stars = np.arange(1, 6)`, and its
# variance is E[stars²] - E[stars]².

# %% slideshow={"slide_type": "skip"}
def noise_floor(probabilities):
    """Mean over pairs of Var[stars]; probabilities: (..., 5) for 1 to 5 stars."""
    raise NotImplementedError("Exercise 2: replace this line with your code")


# %% slideshow={"slide_type": "skip"}
from course_utils.exercises.noise_floor import check_noise_floor

check_noise_floor(noise_floor)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: a noisier world
#
# Make the world with twice the noise, `make_world(noise_sd=1.0, seed=SEED)`. How do the
# noise floor and the share of variance a model can explain change?
# *Hint:* print `world.noise_floor` and `world.ratings.var()`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: fix the seed's pairing the other way round
#
# Keep the seed's `seed_X` (product-major) and reorder the labels instead, then count the
# rows whose label belongs to their features, on the tiny world of section 2.
# *Hint:* `ratings.T.reshape(-1)` reads the matrix product-major.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 5: why is the noise floor not `NOISE_SD ** 2`?
#
# The noise added to each rating has variance `NOISE_SD ** 2`, that is 0.250, yet the noise
# floor is 0.322. Why? *Hint:* rounding to whole stars adds noise; clipping at 1 and 5 removes some.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Solutions
#
# The solutions are collapsed: click the bar at the left of a cell to expand it. Try each
# exercise first.

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 1

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def pair_rows_solution(customer_features, product_features, ratings):
    n_customers, n_products = ratings.shape
    customer_part = np.repeat(customer_features, n_products, axis=0)  # c0, c0, ..., c1, ...
    product_part = np.tile(product_features, (n_customers, 1))  # p0, p1, ..., p0, p1, ...
    return np.concatenate([customer_part, product_part], axis=1), ratings.reshape(-1)


check_pair_rows(pair_rows_solution)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 2

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def noise_floor_solution(probabilities):
    stars = np.arange(1, 6)
    mean = probabilities @ stars
    return float(np.mean(probabilities @ stars**2 - mean**2))


check_noise_floor(noise_floor_solution)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# On the world of this notebook it gives the noise floor make_world computed.
latent = world.taste.latent(world.customer_features, world.product_features)
world_probabilities = star_distribution(latent, NOISE_SD)
print(f"noise floor from the star probabilities: {noise_floor_solution(world_probabilities):.3f}")
print(f"world.noise_floor:                       {world.noise_floor:.3f}")

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 3

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
noisy_world = make_world(noise_sd=2 * NOISE_SD, seed=SEED)
lines = []
for w in [world, noisy_world]:
    explained = 1 - w.noise_floor / w.ratings.var()
    lines.append(
        f"noise sd {w.taste.noise_sd}: noise floor {w.noise_floor:.3f}, MSE of the mean "
        f"{w.ratings.var():.3f}, share a model can explain {explained:.0%}"
    )
print("\n".join(lines))

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# Doubling the noise to `noise_sd=1.0` raises the noise floor from 0.322 to 0.912, and the
# MSE of always predicting the mean from 0.922 to 1.416: the share of the variance a model
# can explain falls from 65% to 36%. The hidden taste is the same; only the noise around it
# grew, so even a perfect model is now left with most of the error, and telling a model
# that learned from one that did not takes more data.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 4

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
fixed_y = tiny_ratings.T.reshape(-1)  # product-major, like seed_X
fixed_match = [fixed_y[r] == f"c{seed_X[r, 0]}p{seed_X[r, 1]}" for r in range(6)]
print("rows whose label belongs to their features:", sum(fixed_match), "of 6")
assert sum(fixed_match) == 6

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# `seed_X` is product-major (row r is customer r % 3, product r // 3), so the labels must
# be too: `ratings.T.reshape(-1)` reads the transposed matrix row by row, i.e. product by
# product, and row r's label becomes customer r % 3's rating of product r // 3. Either
# order works as long as features and labels share it; the course uses customer-major
# everywhere (`pair_table`), so that row `i * n_products + j` is always (i, j).
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 5

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
from scipy.stats import norm

whole_stars = np.arange(-10, 17)  # every value rounding can give, before any clipping
upper = norm.cdf((whole_stars + 0.5 - latent[..., None]) / NOISE_SD)
lower = norm.cdf((whole_stars - 0.5 - latent[..., None]) / NOISE_SD)
p_rounded = upper - lower
rounded_only = np.mean(p_rounded @ whole_stars**2 - (p_rounded @ whole_stars) ** 2)
print(f"noise alone (NOISE_SD ** 2):       {NOISE_SD**2:.3f}")
print(f"rounded to whole stars, no clip:   {rounded_only:.3f}  "
      f"(noise + 1/12 = {NOISE_SD**2 + 1 / 12:.3f})")
print(f"rounded and clipped to 1-5 stars:  {world.noise_floor:.3f}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# Noise alone would give 0.250. Rounding to whole stars adds a rounding error, spread
# roughly evenly over [-0.5, 0.5], whose variance is 1/12: without clipping the floor would
# be 0.333, what the rule "noise + 1/12" predicts. Clipping at 1 and 5 then pulls the
# extreme draws back to the ends of the scale, which removes some variance for the pairs
# whose expected rating is near 1 or 5 stars: the floor ends at 0.322.
#
# </details>
