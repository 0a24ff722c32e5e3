# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
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

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

setup(seed=42)

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import truncnorm

from course_utils.data import make_world, pair_table, split_customers, split_pairs

# %% [markdown]
# One parameters cell: the seed notebook's sizes.

# %%
SEED = 42
N_CUSTOMERS = 1000
N_PRODUCTS = 50
N_CUSTOMER_FEATURES = 5
N_PRODUCT_FEATURES = 10
TEST_FRACTION = 0.2

# %% [markdown]
# ## 1. The seed's recipe, and why it cannot teach
#
# The seed draws features from a standard normal truncated to [-1, 1] and ratings with
# `randint(1, 6)`, independently of every feature.

# %%
rng = np.random.default_rng(SEED)
seed_customers = truncnorm.rvs(-1, 1, size=(N_CUSTOMERS, N_CUSTOMER_FEATURES), random_state=rng)
seed_products = truncnorm.rvs(-1, 1, size=(N_PRODUCTS, N_PRODUCT_FEATURES), random_state=rng)
seed_ratings = rng.integers(1, 6, size=(N_CUSTOMERS, N_PRODUCTS))
print("features within", seed_customers.min().round(2), "and", seed_customers.max().round(2))
print("ratings", np.unique(seed_ratings).tolist())

# %% [markdown]
# A rating drawn at random knows nothing of the features, so the best any model can do is
# predict the average rating, 3. Its mean squared error is then the ratings' variance,
# $(5^2 - 1)/12 = 2$. When the seed was run as written, its MLP's test MSE was 2.03
# against a variance of 2.01 (`../shared/seed/README.md`): it learned nothing, because
# there was nothing to learn. No feature correlates with the ratings:

# %%
best_possible_mse = seed_ratings.var()
correlations = [
    np.corrcoef(seed_customers[:, f], seed_ratings.mean(axis=1))[0, 1]
    for f in range(N_CUSTOMER_FEATURES)
]
print(f"MSE of always predicting the mean: {best_possible_mse:.3f}")
print("correlation of each customer feature with that customer's mean rating:")
print(np.round(correlations, 2))
assert abs(best_possible_mse - 2.0) < 0.05

# %% [markdown]
# ## 2. The seed's pairing mistake
#
# The seed builds one row per (customer, product) pair by stacking
# `np.tile(customers, (n_products, 1))` beside `np.repeat(products, n_customers, axis=0)`,
# then takes labels from `ratings.reshape(-1)`. Both look right, and the shapes agree. On
# a world small enough to read (3 customers, 2 products, each feature equal to its id):

# %%
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

# %% [markdown]
# `tile` cycles the customers (row r is customer r % 3) and `repeat` holds each product
# (row r is product r // 3): the features are **product-major**. `reshape(-1)` reads the
# ratings matrix row by row, **customer-major**: label r belongs to customer r // 2,
# product r % 2. Only rows 0 and 5 agree. Count it:

# %%
labels_match = [seed_y[r] == f"c{seed_X[r, 0]}p{seed_X[r, 1]}" for r in range(6)]
print("rows whose label belongs to their features:", sum(labels_match), "of 6")
assert sum(labels_match) == 2

# %% [markdown]
# At the seed's size the same count, done with row numbers alone: row r has the features of
# customer r % 1000 and product r // 1000, and the label of customer r // 50 and product
# r % 50.

# %%
rows = np.arange(N_CUSTOMERS * N_PRODUCTS)
features_pair = (rows % N_CUSTOMERS, rows // N_CUSTOMERS)
labels_pair = (rows // N_PRODUCTS, rows % N_PRODUCTS)
n_matching = np.sum((features_pair[0] == labels_pair[0]) & (features_pair[1] == labels_pair[1]))
print(f"seed rows whose label belongs to their features: {n_matching} of {rows.size}")
assert n_matching == 2

# %% [markdown]
# The fix is to build features in the same order as the labels: customer-major, with
# `repeat` for customers and `tile` for products. `course_utils.data.pair_table` does
# exactly that, so row `i * n_products + j` is always (customer i, product j):

# %%
tiny_table = pair_table(tiny_customers, tiny_products, np.arange(6).reshape(3, 2))
for row in range(6):
    print(
        f"row {row}: customer {tiny_table.customer_x[row, 0]:.0f}, "
        f"product {tiny_table.product_x[row, 0]:.0f} -> label ratings[{row // 2}, {row % 2}]"
        f" = {tiny_table.y[row]:.0f}"
    )

# %% [markdown]
# ## 3. A world with a taste to learn
#
# `make_world` keeps the seed's sizes and features, and adds what it lacked: a hidden
# **taste model**. Each customer's taste is a point in a 3-dimensional latent space,
# `tanh(customer_features @ W_c)`; each product's profile is another,
# `tanh(product_features @ W_p)`. Their dot product says how well they match; each
# customer and product also has a non-linear bias. Gaussian noise (sd 0.5) is added, and the
# result is rounded and clipped to 1-5 stars. The models never see this rule, only features
# and ratings: that is the signal they must recover.

# %%
world = make_world(
    n_customers=N_CUSTOMERS,
    n_products=N_PRODUCTS,
    n_customer_features=N_CUSTOMER_FEATURES,
    n_product_features=N_PRODUCT_FEATURES,
    seed=SEED,
)
print("customer features", world.customer_features.shape)
print("product features ", world.product_features.shape)
print("ratings          ", world.ratings.shape)
stars, counts = np.unique(world.ratings, return_counts=True)
print("share of each star:", dict(zip(stars.tolist(), np.round(counts / counts.sum(), 3).tolist(), strict=True)))

# %% [markdown]
# The ratings matrix has structure now. On the left the observed stars, on the right the
# expected rating E[stars | features] behind them, for the first 40 customers:

# %%
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

# %% [markdown]
# ## 4. The noise floor
#
# Noise is, by definition, what the features cannot predict. For each pair we know the
# probability of every star value given the features, so we know its variance. The mean of
# those variances is the **noise floor**: the expected MSE of the best possible model, one
# that predicts E[stars | features] exactly. It is computed from the taste model, not
# assumed, and the oracle that knows the hidden rule scores it up to sampling error.

# %%
oracle_mse = np.mean((world.expected - world.ratings) ** 2)
mean_mse = world.ratings.var()
print(f"noise floor (computed):             {world.noise_floor:.3f}")
print(f"oracle MSE (predicts E[stars|x]):   {oracle_mse:.3f}")
print(f"MSE of always predicting the mean:  {mean_mse:.3f}")
print(f"share of the variance a model can explain: {1 - world.noise_floor / mean_mse:.0%}")
assert abs(oracle_mse - world.noise_floor) < 0.02

# %% [markdown]
# So a model that learns the taste should approach 0.32 from the mean's 0.92; one that
# learns nothing stays at 0.92. Notebook 03 trains the seed's MLP against this scale.
#
# The world also has **implicit feedback**: each customer buys each product with a
# probability that grows with how much they like it (their relative purchase frequency,
# in [0, 1]), and `world.purchases` records one 0/1 draw per pair.

# %%
print(f"purchase probability from {world.purchase_probability.min():.3f} "
      f"to {world.purchase_probability.max():.3f}")
print(f"share of pairs bought: {world.purchases.mean():.3f}")

# %% [markdown]
# ## 5. The pair table, built once and checked cell by cell
#
# The models of notebooks 03 and 05 train on one row per (customer, product) pair.
# `pair_table` builds it; here we check every one of its 50,000 rows against the ratings
# matrix, the check the seed never made.

# %%
table = pair_table(world.customer_features, world.product_features, world.ratings)
i, j = table.customer_ids, table.product_ids
assert np.array_equal(table.customer_x, world.customer_features[i])
assert np.array_equal(table.product_x, world.product_features[j])
assert np.array_equal(table.y, world.ratings[i, j])
assert np.array_equal(i * N_PRODUCTS + j, np.arange(len(table)))
print(f"{len(table)} rows, features {table.features.shape}: every row checked")

# %% [markdown]
# ## 6. Two ways to hold data out
#
# - **Random pairs**: 20% of all pairs. Every test customer also has ratings in training;
#   this is the usual "fill in the matrix" task.
# - **Held-out customers**: every rating of 20% of the customers. These customers are new
#   to the model, as a customer who just signed up is: the **cold-start** case.

# %%
train_pairs, test_pairs = split_pairs(table, TEST_FRACTION, seed=SEED)
train_customers, test_customers = split_customers(table, TEST_FRACTION, seed=SEED)
shared = np.intersect1d(train_customers.customer_ids, test_customers.customer_ids)
print(f"random pairs:       train {len(train_pairs)}, test {len(test_pairs)}")
print(f"held-out customers: train {len(train_customers)}, test {len(test_customers)}, "
      f"customers in both: {shared.size}")
assert shared.size == 0

# %% [markdown]
# ## Summary
#
# - Random ratings have no signal: the seed's MLP scored 2.05, the ratings' variance.
# - `tile` beside `repeat` pairs features product-major while `reshape(-1)` reads labels
#   customer-major: in the seed, 2 rows of 50,000 had their own label. `pair_table` builds
#   rows customer-major, and every row is checked.
# - Our world hides a non-linear taste; its noise floor (0.32) is computed, and the oracle
#   reaches it, while predicting the mean scores 0.92.
# - Held-out customers are the cold-start test: no rating of theirs is seen in training.
#
# ## Exercises
#
# 1. Raise the noise to `noise_sd=1.0` in `make_world`. How does the noise floor change,
#    and the share of variance a model can explain? *Hint:* print `world.noise_floor`.
# 2. Fix the seed's pairing the other way round: keep its `X` and reorder the labels.
#    *Hint:* `ratings.T.reshape(-1)` reads the matrix product-major.
# 3. Why is the noise floor not simply `noise_sd ** 2 = 0.25`? *Hint:* rounding to whole
#    stars adds noise; clipping at 1 and 5 removes some.
