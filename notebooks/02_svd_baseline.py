# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
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

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Setup

# %% slideshow={"slide_type": "skip"}
from course_utils import setup

setup(seed=42)

import matplotlib.pyplot as plt
import numpy as np
import scipy.linalg

from course_utils.baselines import fit_biases, fit_svd
from course_utils.data import make_world, pair_table, split_customers, split_pairs, to_matrix

# %% slideshow={"slide_type": "skip"}
SEED = 42
TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.2  # of the training pairs, for choosing the rank
VALIDATION_SEEDS = range(SEED + 1, SEED + 11)  # ten validation splits, to see the noise of one
RANKS = [1, 2, 3, 4, 6, 8, 12, 16, 24]
REGULARIZATION = 5.0  # pseudo-ratings that shrink each bias towards 0 (exercise 3 tunes it)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The data: a ratings matrix with holes
#
# The world of notebook 01, with 20% of the pairs held out for testing. The training
# ratings, put back into a customers × products matrix, have `nan` where a pair is held out.

# %% slideshow={"slide_type": "-"}
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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The global mean
#
# The simplest guess, the **global mean**: every customer gives every product the average
# training rating. We score every model by its **MSE** (mean squared error) on the test pairs.

# %% slideshow={"slide_type": "-"}
global_mean = train.y.mean()
results["global mean"] = mse(np.full(len(test), global_mean))
print(f"global mean {global_mean:.3f}: test MSE {results['global mean']:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Customer and product biases
#
# Some customers rate everything high, and some products are liked by everyone:
# `rating ≈ mean + b_customer + b_product`, where each **bias** is how far a customer (or a
# product) sits above or below the mean. Each bias is the mean of what the others leave
# unexplained, **regularised**: shrunk towards 0 as if it had `REGULARIZATION` extra ratings
# of exactly the mean, so a product rated twice cannot get an extreme bias. The two kinds
# are alternated until they settle (`course_utils.baselines.fit_biases`).

# %% slideshow={"slide_type": "-"}
biases = fit_biases(train, n_customers, n_products, regularization=REGULARIZATION)
results["biases"] = mse(biases.predict(test.customer_ids, test.product_ids))
print(f"biases: test MSE {results['biases']:.3f}")
low, high = biases.product_bias.min(), biases.product_bias.max()
print(f"product biases range from {low:.2f} to {high:.2f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Truncated SVD
#
# What the biases leave is the **interaction**: how this customer's taste meets this
# product. The **singular value decomposition** (SVD) writes any matrix as $U \Sigma V^T$:
# $U$ and $V$ have orthonormal columns (directions), and the diagonal $\Sigma$ holds the
# **singular values**, how much of the matrix each direction carries, largest first.
# Keeping the $r$ largest gives the best approximation of **rank** $r$ (a matrix built from
# $r$ directions only). A customer becomes $r$ numbers (a row of $U\Sigma$), a product $r$
# numbers (a row of $V$), and their dot product is the interaction.
#
# SVD needs a complete matrix, so we fill the holes with 0 (the biases' guess for the
# residual) and factor. This is the whole idea, in four lines:

# %% slideshow={"slide_type": "-"}
residual = train_matrix - biases.predict_matrix()
filled = np.nan_to_num(residual, nan=0.0)
u, s, vt = scipy.linalg.svd(filled, full_matrices=False)
rank = 2
one_pass = biases.predict_matrix() + (u[:, :rank] * s[:rank]) @ vt[:rank]
one_pass_mse = mse(one_pass[test.customer_ids, test.product_ids])
print(f"one-pass rank-{rank} SVD: test MSE {one_pass_mse:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Filling with 0 pulls every factor towards 0 on the missing 20%. `fit_svd` repeats the
# step, refilling the holes with the current approximation each time ("hard impute"), so
# the factors fit the known ratings rather than the fill. Which rank? Too low misses the
# taste; too high fits the noise. We sweep it, but **not on the test set**: a choice made by
# looking at test scores makes the test score look better than it will be on new data. We
# carve a **validation split** out of training (20% of the training pairs, never used to
# fit), fit each rank on the rest, and compare there.

# %% slideshow={"slide_type": "-"}
fit, validation = split_pairs(train, VALIDATION_FRACTION, seed=SEED + 1)
validation_mse = {}
for rank in RANKS:
    model = fit_svd(fit, n_customers, n_products, rank, regularization=REGULARIZATION)
    predicted = model.predict(validation.customer_ids, validation.product_ids)
    validation_mse[rank] = mse(predicted, validation.y)
best_rank = min(validation_mse, key=validation_mse.get)
for rank, value in validation_mse.items():
    mark = "  <- best" if rank == best_rank else ""
    print(f"rank {rank:2d}: validation MSE {value:.3f}{mark}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The plot shows the **RMSE** (root mean squared error, the square root of the MSE, in stars)
# against the rank.

# %% slideshow={"slide_type": "-"}
validation_rmse = np.sqrt(list(validation_mse.values()))
fig, ax = plt.subplots()
ax.plot(list(validation_mse), validation_rmse, marker="o", label="SVD")
ax.axhline(np.sqrt(world.noise_floor), color="grey", linestyle="--", label="noise floor")
ax.set(xlabel="rank", ylabel="validation RMSE", title="Truncated SVD: RMSE against rank")
ax.legend()
plt.show()
print("validation RMSE by rank:", " ".join(f"{x:.3f}" for x in validation_rmse),
      f"(noise floor {np.sqrt(world.noise_floor):.3f})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Rank 2 (0.380) edges out rank 3 (0.383), the true dimension of the hidden taste. Is a gap
# that small real? The validation split is one random draw of 20% of the training pairs;
# another draw gives other numbers. We redraw it ten times (the first is the split above)
# and fit ranks 2 and 3 on each: how far apart are they, and how much does each move?

# %% slideshow={"slide_type": "-"}
gaps, rank_2_mse = [], []
for split_seed in VALIDATION_SEEDS:
    other_fit, other_validation = split_pairs(train, VALIDATION_FRACTION, seed=split_seed)
    errors = {}
    for rank in (2, 3):
        model = fit_svd(other_fit, n_customers, n_products, rank, regularization=REGULARIZATION)
        predicted = model.predict(other_validation.customer_ids, other_validation.product_ids)
        errors[rank] = mse(predicted, other_validation.y)
    gaps.append(errors[3] - errors[2])
    rank_2_mse.append(errors[2])
gaps = np.array(gaps)
print("rank 3 minus rank 2, validation MSE, split by split:")
for row in (gaps[:5], gaps[5:]):
    print("  " + " ".join(f"{gap:+.4f}" for gap in row))
print(f"rank 2 lower on {(gaps > 0).sum()} of {len(gaps)} splits; gap from {gaps.min():+.4f} "
      f"to {gaps.max():+.4f}, mean {gaps.mean():+.4f}")
print(f"rank 2's own validation MSE over the splits: {min(rank_2_mse):.3f} to "
      f"{max(rank_2_mse):.3f}")
assert np.abs(gaps).max() < 0.01, gaps  # ranks 2 and 3 are never more than 0.01 apart

# %% [markdown] slideshow={"slide_type": "subslide"}
# The gap is tiny, well under 1% of the error, and smaller than how much one rank's error
# moves from split to split (0.369 to 0.381 for rank 2). Rank 2 is lower on 9 of the 10
# splits, so its edge is probably real, but rank 3 wins one and no split puts them more
# than 0.0057 apart: one split's gap, like the 0.0022 above, is within the noise of the
# split, and in practice ranks 2 and 3 tie. The third direction is weak in these ratings,
# so what it adds is about what it costs in fitted noise. We keep the rank the first split
# chose, refit it on all training pairs and measure the test set once.

# %% slideshow={"slide_type": "-"}
svd = fit_svd(train, n_customers, n_products, best_rank, regularization=REGULARIZATION)
svd_mse = mse(svd.predict(test.customer_ids, test.product_ids))
results[f"SVD rank {best_rank}"] = svd_mse
print(f"SVD rank {best_rank}: test MSE {svd_mse:.3f}")
assert svd_mse < results["biases"] < results["global mean"]
assert svd_mse < 1.15 * world.noise_floor, svd_mse

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The latent factors
#
# The singular values of the residual matrix show how much each **latent factor** (a
# hidden direction of taste, learned from the ratings alone) explains. Our hidden taste has
# 3 dimensions. The first singular values stand out; from about the fourth on they fall
# slowly: that is noise, spread over all directions.

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots()
ax.plot(np.arange(1, len(s) + 1), s, marker="o")
ax.set(xlabel="component", ylabel="singular value", title="Singular values of the residual")
plt.show()
print("largest singular values:", np.round(s[:6], 1))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Each customer is now described by its row of factors. Here are the factors of 300
# customers, coloured by their training rating of the product that weighs most on factor 1
# (customers who have not rated it are left out).

# %% slideshow={"slide_type": "-"}
product = int(np.argmax(np.abs(svd.product_factors[:, 0])))
rated = ~np.isnan(train_matrix[:300, product])
factor_1 = svd.customer_factors[:300, 0][rated]
their_rating = train_matrix[:300, product][rated]
assert best_rank >= 2, "this plot needs two factors"
fig, ax = plt.subplots()
points = ax.scatter(factor_1, svd.customer_factors[:300, 1][rated], c=their_rating, s=12)
fig.colorbar(points, label=f"rating of product {product}")
ax.set(xlabel="factor 1", ylabel="factor 2", title="Customers in SVD's latent space")
plt.show()
correlation = np.corrcoef(factor_1, their_rating)[0, 1]
print(f"{rated.sum()} customers; correlation of factor 1 with their rating of product "
      f"{product}: {correlation:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Customers close together in this space rate alike. For each of the 300, we find its
# nearest neighbour by factors and compare their training ratings on the products both
# rated, against a customer drawn at random.

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(SEED)
factors = svd.customer_factors[:300]
distances = ((factors[:, None, :] - factors[None, :, :]) ** 2).sum(axis=-1)
np.fill_diagonal(distances, np.inf)
nearest = distances.argmin(axis=1)
stranger = (np.arange(300) + rng.integers(1, 300, size=300)) % 300  # anyone but oneself
ratings_300 = train_matrix[:300]
near_gap = np.nanmean((ratings_300 - ratings_300[nearest]) ** 2)
random_gap = np.nanmean((ratings_300 - ratings_300[stranger]) ** 2)
print(f"mean squared rating difference: nearest neighbour {near_gap:.3f}, "
      f"random customer {random_gap:.3f}")
assert near_gap < 0.6 * random_gap

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. What SVD cannot do
#
# SVD learns one row of factors per customer **it has seen**. A customer who signs up
# today has no ratings, so no row: SVD cannot score them. The biases can only fall back
# on the global mean plus the product's bias, i.e. popularity. And SVD never looks at
# features: the customer's 5 features, which decide their taste in this world, go unused.

# %% slideshow={"slide_type": "-"}
cold_train, cold_test = split_customers(table, TEST_FRACTION, seed=SEED)
cold_svd = fit_svd(cold_train, n_customers, n_products, best_rank)
try:
    cold_svd.predict(cold_test.customer_ids, cold_test.product_ids)
except ValueError as error:
    print("ValueError:", error)

cold_biases = fit_biases(cold_train, n_customers, n_products, regularization=REGULARIZATION)
cold_mse = mse(cold_biases.predict(cold_test.customer_ids, cold_test.product_ids), cold_test.y)
print(f"held-out customers, best a baseline can do (mean + product bias): MSE {cold_mse:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Two of the seed's claims
#
# The seed says its two-tower model "combines the user-based and item-based approaches" in
# "a hybrid of the user and item space". User-based and item-based recommenders compare
# rows or columns of the ratings matrix (customers who rated alike, products rated alike);
# the seed's towers take only features as input, so they are neither, and a space shared
# by customers and products is what SVD has just built from the ratings. The seed also
# calls each tower's output a "lower-dimensional representation", yet its towers map 5
# customer features and 3 product features to 32 units each, a higher dimension; here it
# is SVD that compresses, as this cell counts.

# %% slideshow={"slide_type": "-"}
print(f"a customer: {n_products} ratings -> {svd.customer_factors.shape[1]} factors")
print(f"a product:  {n_customers} ratings -> {svd.product_factors.shape[1]} factors")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Where we stand

# %% slideshow={"slide_type": "-"}
for name, value in results.items():
    print(f"{name:>14}: MSE {value:.3f}  ({value / world.noise_floor:.2f}x the floor)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Biases explain little here (test MSE 0.828 from the global mean's 0.932): in this
#   world, taste is mostly interaction.
# - Truncated SVD recovers much of the interaction: at the rank chosen on validation it gets
#   within 15% of the noise floor on test (asserted above); higher ranks fit noise and get
#   worse.
# - Every choice (here the rank) is made on a validation split carved out of training; the
#   test set only measures each model once its choices are made.
# - The singular values show a few strong directions, then noise; customers close in the
#   factor space rate alike.
# - SVD cannot score a customer it has never seen, and it ignores features. A neural
#   network that reads features can do both: notebook 03.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1 (coding, checked): truncated SVD by hand
#
# Write `truncated_svd(matrix, rank)`, the best rank-`rank` approximation of a complete
# matrix, as a matrix of the same shape.
# *Hint:* `u, s, vt = np.linalg.svd(matrix, full_matrices=False)` returns the singular
# values largest first; keep the first `rank` of each, as section 4 does.

# %% slideshow={"slide_type": "skip"}
def truncated_svd(matrix, rank):
    """The best rank-`rank` approximation of `matrix`, same shape."""
    raise NotImplementedError("Exercise 1: replace this line with your code")


# %% slideshow={"slide_type": "skip"}
from course_utils.exercises.svd import check_truncated_svd

check_truncated_svd(truncated_svd)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2 (coding, checked): choose the rank on validation
#
# Write `validation_mse_by_rank(train, ranks, n_customers, n_products, fraction, seed)`:
# carve `fit, validation = split_pairs(train, fraction, seed=seed)`, fit
# `fit_svd(fit, n_customers, n_products, rank)` for each rank, and return a dict
# `{rank: MSE on the validation pairs}`. The rank to keep is the one with the lowest value;
# the test set plays no part.
# *Hint:* `model.predict(validation.customer_ids, validation.product_ids)` gives the
# predictions; compare them with `validation.y`.

# %% slideshow={"slide_type": "skip"}
def validation_mse_by_rank(train, ranks, n_customers, n_products, fraction, seed):
    """{rank: validation MSE} of truncated SVDs fitted on the rest of `train`."""
    raise NotImplementedError("Exercise 2: replace this line with your code")


# %% slideshow={"slide_type": "skip"}
from course_utils.exercises.svd import check_validation_mse_by_rank

check_validation_mse_by_rank(validation_mse_by_rank)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: what regularisation does to the biases
#
# Refit the biases with `regularization=0`. Which customers' biases change most? Is
# `REGULARIZATION = 5.0` a good choice? *Hint:* count each customer's training ratings;
# compare a few values on the validation split.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: how much does hard impute help?
#
# Run `fit_svd` with `n_iterations=1` (the one-pass SVD) across the ranks, on the
# validation split. *Hint:* compare with the sweep of section 4, at the best rank.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 5: a noisier world
#
# Make the world noisier (`make_world(noise_sd=1.0)`). Does the rank chosen on validation
# go up or down? *Hint:* with more noise, fewer directions stand out.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Solutions
#
# The solutions are collapsed: click the bar at the left of a cell to expand it. Try each
# exercise first.

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 1

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def truncated_svd_solution(matrix, rank):
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return (u[:, :rank] * s[:rank]) @ vt[:rank]


check_truncated_svd(truncated_svd_solution)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 2

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def validation_mse_by_rank_solution(train, ranks, n_customers, n_products, fraction, seed):
    fit, validation = split_pairs(train, fraction, seed=seed)
    errors = {}
    for rank in ranks:
        model = fit_svd(fit, n_customers, n_products, rank)
        predicted = model.predict(validation.customer_ids, validation.product_ids)
        errors[rank] = float(np.mean((predicted - validation.y) ** 2))
    return errors


check_validation_mse_by_rank(validation_mse_by_rank_solution)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# On this notebook's training pairs, with section 4's seed, it repeats section 4's sweep.
errors = validation_mse_by_rank_solution(
    train, RANKS, n_customers, n_products, VALIDATION_FRACTION, SEED + 1
)
print(f"rank chosen on validation: {min(errors, key=errors.get)} (section 4: {best_rank})")
assert errors == validation_mse

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 3

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
unregularised = fit_biases(train, n_customers, n_products, regularization=0.0)
change = np.abs(unregularised.customer_bias - biases.customer_bias)
n_rated = np.bincount(train.customer_ids, minlength=n_customers)
fewest, most = n_rated <= np.quantile(n_rated, 0.1), n_rated >= np.quantile(n_rated, 0.9)
print(f"training ratings per customer: {n_rated.min()} to {n_rated.max()}")
print(f"mean change of a customer's bias: {change[fewest].mean():.3f} for the 10% with the "
      f"fewest ratings, {change[most].mean():.3f} for the 10% with the most")
lines = []
for strength in [0.0, 1.0, 5.0, 20.0, 50.0]:
    model = fit_biases(fit, n_customers, n_products, regularization=strength)
    predicted = model.predict(validation.customer_ids, validation.product_ids)
    score = mse(predicted, validation.y)
    lines.append(f"regularization {strength:4.1f}: validation MSE {score:.4f}")
print("\n".join(lines))

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# Every customer here has between 29 and 48 training ratings, so 5 pseudo-ratings move a
# bias only a little: without regularisation, the customer biases change by 0.024 on
# average for the 10% of customers with the fewest ratings, against 0.019 for the 10% with
# the most. The fewer ratings a customer has, the more the shrinkage matters; for a
# customer with 2 ratings it would dominate. On the validation split, 5.0 is not the best
# value: 20.0 scores 0.8350 against 0.8408, and 50.0 is worse again (0.8373). The notebook
# keeps 5.0; the difference is small next to what SVD adds on top of the biases.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 4

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
lines = []
for rank in RANKS:
    model = fit_svd(fit, n_customers, n_products, rank, n_iterations=1)
    predicted = model.predict(validation.customer_ids, validation.product_ids)
    lines.append(
        f"rank {rank:2d}: validation MSE one pass {mse(predicted, validation.y):.3f}, "
        f"hard impute {validation_mse[rank]:.3f}"
    )
print("\n".join(lines))

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# Hard impute wins at every rank up to 12: at the chosen rank 2, the validation MSE falls
# from 0.458 (one pass) to 0.380. One pass treats the zeros put in the holes as if they
# were ratings, which pulls every prediction towards the biases' guess. At ranks 16 and 24
# the order flips (0.711 against 0.740, 0.774 against 0.921): there hard impute fits the
# noise of the known ratings ever more closely, while the zeros hold one pass back. Both
# are then far worse than rank 2.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 5

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
noisy = make_world(noise_sd=1.0, seed=SEED)
noisy_table = pair_table(noisy.customer_features, noisy.product_features, noisy.ratings)
noisy_train, _ = split_pairs(noisy_table, TEST_FRACTION, seed=SEED)
noisy_errors = validation_mse_by_rank_solution(
    noisy_train, RANKS, n_customers, n_products, VALIDATION_FRACTION, SEED + 1
)
noisy_best = min(noisy_errors, key=noisy_errors.get)
print(f"noise sd {noisy.taste.noise_sd}: rank chosen on validation {noisy_best}, "
      f"validation MSE {noisy_errors[noisy_best]:.3f}")
print(f"noise sd {world.taste.noise_sd}: rank chosen on validation {best_rank}, "
      f"validation MSE {validation_mse[best_rank]:.3f}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# Down: with noise sd 1.0, validation chooses rank 1 (validation MSE 1.016), against rank 2
# at noise sd 0.5. The hidden taste is the same, but each direction is now estimated from
# noisier ratings, and a weak direction costs more in fitted noise than it brings in
# signal, so fewer directions pay for themselves.
#
# </details>
