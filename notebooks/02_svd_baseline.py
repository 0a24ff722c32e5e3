# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · SVD, the linear ancestor
#
# The seed notebook calls neural recommenders "an evolution of the Singular Value
# Decomposition". Before any neural network, we build that ancestor and the simpler
# baselines under it: the global mean, then customer and product biases, then a truncated
# SVD of the ratings matrix. Every later model must beat these, and we will see the two
# things SVD cannot do at all.
#
# **Learning goals**
#
# - Fit the global mean and regularised biases, and read their errors against the noise floor.
# - Factor a ratings matrix with missing entries by truncated SVD, and choose its rank.
# - Read SVD's latent factors: the rank at which signal gives way to noise.
# - Say what SVD cannot do: score a new customer, or use features.

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

setup(seed=42)

import matplotlib.pyplot as plt
import numpy as np
import scipy.linalg

from course_utils.baselines import fit_biases, fit_svd
from course_utils.data import make_world, pair_table, split_customers, split_pairs, to_matrix

# %%
SEED = 42
TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.2  # of the training pairs, for choosing the rank
RANKS = [1, 2, 3, 4, 6, 8, 12, 16, 24]
REGULARIZATION = 5.0  # pseudo-ratings that shrink each bias towards 0

# %% [markdown]
# ## 1. The data: a ratings matrix with holes
#
# The world of notebook 01, with 20% of the pairs held out for testing. The training
# ratings, put back into a customers × products matrix, have `nan` where a pair is held out.

# %%
world = make_world(seed=SEED)
table = pair_table(world.customer_features, world.product_features, world.ratings)
train, test = split_pairs(table, TEST_FRACTION, seed=SEED)
n_customers, n_products = world.n_customers, world.n_products
train_matrix = to_matrix(train, n_customers, n_products)
print(f"train matrix {train_matrix.shape}, {np.isnan(train_matrix).mean():.0%} held out")


def mse(predicted, actual=test.y):
    """Mean squared error on the held-out pairs."""
    return float(np.mean((predicted - actual) ** 2))


results = {"noise floor": world.noise_floor}

# %% [markdown]
# ## 2. The global mean
#
# The simplest guess: every customer gives every product the average training rating.

# %%
global_mean = train.y.mean()
results["global mean"] = mse(np.full(len(test), global_mean))
print(f"global mean {global_mean:.3f}: test MSE {results['global mean']:.3f}")

# %% [markdown]
# ## 3. Customer and product biases
#
# Some customers rate everything high, and some products are liked by everyone:
# `rating ≈ mean + b_customer + b_product`. Each bias is the mean of what the others leave
# unexplained, shrunk towards 0 by `REGULARIZATION` pseudo-ratings, and the two are
# alternated until they settle (`course_utils.baselines.fit_biases`).

# %%
biases = fit_biases(train, n_customers, n_products, regularization=REGULARIZATION)
results["biases"] = mse(biases.predict(test.customer_ids, test.product_ids))
print(f"biases: test MSE {results['biases']:.3f}")
print(f"product biases range from {biases.product_bias.min():.2f} to {biases.product_bias.max():.2f}")

# %% [markdown]
# ## 4. Truncated SVD
#
# What the biases leave is the **interaction**: how this customer's taste meets this
# product. SVD writes any matrix as $U \Sigma V^T$; keeping the $r$ largest singular values
# gives the best rank-$r$ approximation. A customer becomes $r$ numbers (a row of
# $U\Sigma$), a product $r$ numbers (a row of $V$), and their dot product is the interaction.
#
# SVD needs a complete matrix, so we fill the holes with 0 (the biases' guess for the
# residual) and factor. This is the whole idea, in four lines:

# %%
residual = train_matrix - biases.predict_matrix()
filled = np.nan_to_num(residual, nan=0.0)
u, s, vt = scipy.linalg.svd(filled, full_matrices=False)
rank = 2
one_pass = biases.predict_matrix() + (u[:, :rank] * s[:rank]) @ vt[:rank]
print(f"one-pass rank-{rank} SVD: test MSE {mse(one_pass[test.customer_ids, test.product_ids]):.3f}")

# %% [markdown]
# Filling with 0 pulls every factor towards 0 on the missing 20%. `fit_svd` repeats the
# step, refilling the holes with the current approximation each time ("hard impute"), so
# the factors fit the known ratings rather than the fill. Which rank? Too low misses the
# taste; too high fits the noise. We sweep it, but **not on the test set**: a choice made by
# looking at test scores makes the test score look better than it will be on new data. We
# carve a validation split out of training, fit each rank on the rest, and compare there.

# %%
fit, validation = split_pairs(train, VALIDATION_FRACTION, seed=SEED + 1)
validation_mse = {}
for rank in RANKS:
    model = fit_svd(fit, n_customers, n_products, rank, regularization=REGULARIZATION)
    validation_mse[rank] = mse(model.predict(validation.customer_ids, validation.product_ids), validation.y)
best_rank = min(validation_mse, key=validation_mse.get)
for rank, value in validation_mse.items():
    print(f"rank {rank:2d}: validation MSE {value:.3f}" + ("  <- best" if rank == best_rank else ""))

# %%
fig, ax = plt.subplots()
ax.plot(list(validation_mse), np.sqrt(list(validation_mse.values())), marker="o", label="SVD")
ax.axhline(np.sqrt(world.noise_floor), color="grey", linestyle="--", label="noise floor")
ax.set(xlabel="rank", ylabel="validation RMSE", title="Truncated SVD: RMSE against rank")
ax.legend()
plt.show()

# %% [markdown]
# The validation split has done its job. We refit at the chosen rank on all training pairs
# and measure the test set once.

# %%
svd = fit_svd(train, n_customers, n_products, best_rank, regularization=REGULARIZATION)
svd_mse = mse(svd.predict(test.customer_ids, test.product_ids))
results[f"SVD rank {best_rank}"] = svd_mse
print(f"SVD rank {best_rank}: test MSE {svd_mse:.3f}")
assert svd_mse < results["biases"] < results["global mean"]
assert svd_mse < 1.15 * world.noise_floor, svd_mse

# %% [markdown]
# ## 5. The latent factors
#
# The singular values of the residual matrix show how much each latent direction explains.
# Our hidden taste has 3 dimensions; the first few singular values stand out and the rest
# is noise, spread evenly over all directions.

# %%
fig, ax = plt.subplots()
ax.plot(np.arange(1, len(s) + 1), s, marker="o")
ax.set(xlabel="component", ylabel="singular value", title="Singular values of the residual")
plt.show()
print("largest singular values:", np.round(s[:6], 1))

# %% [markdown]
# Each customer is now described by its row of factors. Customers who are close in this
# space rate products alike; here are the first two factors of 300 customers, coloured by
# their mean rating.

# %%
fig, ax = plt.subplots()
points = ax.scatter(
    svd.customer_factors[:300, 0],
    svd.customer_factors[:300, 1],
    c=np.nanmean(train_matrix[:300], axis=1),
    cmap="viridis",
    s=12,
)
fig.colorbar(points, label="mean training rating")
ax.set(xlabel="factor 1", ylabel="factor 2", title="Customers in SVD's latent space")
plt.show()

# %% [markdown]
# ## 6. What SVD cannot do
#
# SVD learns one row of factors per customer **it has seen**. A customer who signs up
# today has no ratings, so no row: SVD cannot score them. The biases can only fall back
# on the global mean plus the product's bias, i.e. popularity. And SVD never looks at
# features: the customer's 5 features, which decide their taste in this world, go unused.

# %%
cold_train, cold_test = split_customers(table, TEST_FRACTION, seed=SEED)
cold_svd = fit_svd(cold_train, n_customers, n_products, best_rank)
try:
    cold_svd.predict(cold_test.customer_ids, cold_test.product_ids)
except ValueError as error:
    print("ValueError:", error)

cold_biases = fit_biases(cold_train, n_customers, n_products, regularization=REGULARIZATION)
cold_mse = mse(cold_biases.predict(cold_test.customer_ids, cold_test.product_ids), cold_test.y)
print(f"held-out customers, best a baseline can do (mean + product bias): MSE {cold_mse:.3f}")

# %% [markdown]
# ## 7. Where we stand

# %%
for name, value in results.items():
    print(f"{name:>14}: MSE {value:.3f}  ({value / world.noise_floor:.2f}x the floor)")

# %% [markdown]
# ## Summary
#
# - Biases explain little here (MSE 0.83 from the mean's 0.93): in this world, taste is
#   mostly interaction.
# - Truncated SVD recovers much of the interaction: at the rank chosen on validation it gets
#   within 15% of the noise floor on test (asserted above); higher ranks fit noise and get
#   worse.
# - Every choice (here the rank) is made on a validation split carved out of training; the
#   test set is measured once, at the end.
# - The singular values show a few strong directions, then noise.
# - SVD cannot score a customer it has never seen, and it ignores features. A neural
#   network that reads features can do both: notebook 03.
#
# ## Exercises
#
# 1. Set `REGULARIZATION = 0` and refit the biases. Which customers' biases change most?
#    *Hint:* those with the fewest training ratings.
# 2. Run `fit_svd` with `n_iterations=1` (the one-pass SVD) across the ranks. How much does
#    hard impute help? *Hint:* compare at the best rank.
# 3. Make the world noisier (`make_world(noise_sd=1.0)`). Does the best rank go up or down?
#    *Hint:* with more noise, fewer directions stand out.
