# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Top-k recommendation, and how to measure a ranking
#
# A shop does not show a customer predicted ratings; it shows a short list. The seed's
# last MLP step scores all 50 products for a new customer and prints the top 3. This
# notebook does that step properly, for many customers at once, and then asks the
# question the seed never asks: **are these recommendations any good?**
#
# **Learning goals**
#
# - Score every product for a batch of customers in one call, and take each one's top k.
# - Read the seed's `argsort` line, its quirks, and a faster, deterministic replacement.
# - Measure a ranking: precision, recall, NDCG, MAP and hit rate at k, and coverage.
# - Compare random, popularity, SVD and the MLP against an oracle that knows the truth.
# - See why a lower MSE does not always mean a better ranking.

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

setup(seed=42)

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import truncnorm

from course_utils.baselines import fit_biases, fit_svd
from course_utils.data import make_world, pair_table, split_customers, split_pairs
from course_utils.metrics import (
    catalogue_coverage,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    top_k_relevance,
)
from course_utils.models import build_mlp
from course_utils.recommend import score_all, top_k

# %%
SEED = 42
TEST_FRACTION = 0.2
SEED_TOP = 3  # the seed's top 3
K = 10  # the cut-off for ranking metrics
KS = [1, 2, 3, 5, 10, 15, 20]
EPOCHS = 10
BATCH_SIZE = 32
SVD_RANK = 2  # the rank chosen on validation in notebook 02

# %% [markdown]
# ## 1. Train the MLP of notebook 03 on the cold-start split
#
# The customers we evaluate are held out entirely: the MLP has never seen a rating of theirs.

# %%
world = make_world(seed=SEED)
table = pair_table(world.customer_features, world.product_features, world.ratings)
train, test = split_customers(table, TEST_FRACTION, seed=SEED)
new_customers = np.unique(test.customer_ids)

mlp = build_mlp(train.features.shape[1])
mlp.compile(loss="mse", optimizer="adam")
mlp.fit(train.features, train.y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
print(f"{len(new_customers)} held-out customers, {world.n_products} products")

# %% [markdown]
# ## 2. The seed's top-3 cell
#
# The seed draws a new customer, pairs them with every product, predicts and sorts:

# %%
rng = np.random.default_rng(SEED)
new_customer = truncnorm.rvs(-1, 1, size=(1, 5), random_state=rng)
new_data = np.concatenate([np.tile(new_customer, (world.n_products, 1)), world.product_features], axis=1)
new_ratings = mlp.predict(new_data, verbose=0)
top_products = np.argsort(new_ratings, axis=0)[::-1][:3]
print("shape", top_products.shape)
print(top_products)

# %% [markdown]
# It works, with three quirks:
#
# - `predict` returns a `(50, 1)` column, so the result is a `(3, 1)` array: a column of
#   one-element rows, awkward to index and to compare with anything.
# - It sorts all 50 products to keep 3. At 50 products that costs nothing; at 100,000
#   products and a million customers it is most of the work.
# - Ties are broken by however `argsort` happens to order them.
#
# `score_all` scores every product for any number of customers in one batched call, and
# `top_k` returns a flat `(n_customers, k)` array, best first, finding the k best with
# `argpartition` and sorting only those (ties go to the lower product id):

# %%
scores = score_all(mlp, new_customer, world.product_features)
ours = top_k(scores, SEED_TOP)
print("shape", ours.shape, "products", ours[0].tolist())
assert ours[0].tolist() == top_products[:, 0].tolist()

# %% [markdown]
# Products a customer already rated or bought can be left out with `exclude`. In the
# cold-start split, customer 0 is a training customer who rated all 50 products, so there
# is nothing left to recommend, and `top_k` says so rather than return rated products:

# %%
customer_0_scores = score_all(mlp, world.customer_features[:1], world.product_features)
rated_in_cold_split = np.zeros((1, world.n_products), dtype=bool)
rated_in_cold_split[0, train.product_ids[train.customer_ids == 0]] = True
try:
    top_k(customer_0_scores, SEED_TOP, exclude=rated_in_cold_split)
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# In the random-pairs split (notebook 01), 20% of each customer's products are unrated:

# %%
pairs_train, _ = split_pairs(table, TEST_FRACTION, seed=SEED)
already_rated = np.zeros((1, world.n_products), dtype=bool)
already_rated[0, pairs_train.product_ids[pairs_train.customer_ids == 0]] = True
print(f"customer 0 has rated {already_rated.sum()} products")
print("top 3 of all products:   ", top_k(customer_0_scores, SEED_TOP)[0].tolist())
print("top 3 of those not rated:", top_k(customer_0_scores, SEED_TOP, exclude=already_rated)[0].tolist())

# %% [markdown]
# ## 3. What counts as a good recommendation?
#
# On real data we only know the ratings customers happened to give. Here we know the truth:
# a product is **relevant** to a customer if it is in their true top 10 by expected rating.
# NDCG uses graded relevance instead: the true expected rating itself, so putting a
# 4.6-star product above a 4.2-star one counts. The **oracle** ranks by the truth, so it
# must score 1 on every metric: a check that the metrics and the relevance agree.

# %%
truth = world.expected[new_customers]
relevance = top_k_relevance(truth, K)


def evaluate(recommended, k=K):
    """Every ranking metric of a (n_customers, >= k) list of product ids, at cut-off k."""
    return {
        "precision": precision_at_k(recommended, relevance, k),
        "recall": recall_at_k(recommended, relevance, k),
        "ndcg": ndcg_at_k(recommended, truth, k),
        "map": map_at_k(recommended, relevance, k),
        "hit rate": hit_rate_at_k(recommended, relevance, k),
        "coverage": catalogue_coverage(recommended[:, :k], world.n_products),
    }


oracle = evaluate(top_k(truth, K))
print({name: round(value, 3) for name, value in oracle.items()})
assert all(oracle[m] == 1.0 for m in ("precision", "recall", "ndcg", "map", "hit rate"))

# %% [markdown]
# ## 4. Four recommenders on new customers
#
# - **random**: a random ordering of the products, for each customer.
# - **popularity**: the products with the highest mean training rating, the same list for
#   everyone (the biases model, which is all a baseline has for a new customer).
# - **MLP**: scores from the customer's features.
# - **oracle**: the truth, the ceiling.
#
# `top_k` is asked for 20 products, the largest k we plot; metrics at k use the first k.

# %%
max_k = max(KS)
n_new = len(new_customers)
biases = fit_biases(train, world.n_customers, world.n_products)
recommenders = {
    "random": top_k(rng.random((n_new, world.n_products)), max_k),
    "popularity": top_k(np.tile(biases.product_bias, (n_new, 1)), max_k),
    "MLP": top_k(score_all(mlp, world.customer_features[new_customers], world.product_features), max_k),
    "oracle": top_k(truth, max_k),
}
print(f"{'':>10}" + "".join(f"{m:>10}" for m in oracle))
results = {}
for name, recommended in recommenders.items():
    results[name] = evaluate(recommended)
    print(f"{name:>10}" + "".join(f"{v:>10.3f}" for v in results[name].values()))

# %% [markdown]
# The MLP finds most of each new customer's true top 10; popularity shows everyone the same
# 10 products, so it covers only 20% of the catalogue and fits few customers; random finds
# what chance allows, about 10 in 50. The claim, checked:

# %%
print(f"recall@{K}: MLP {results['MLP']['recall']:.3f}, popularity "
      f"{results['popularity']['recall']:.3f}, random {results['random']['recall']:.3f}")
assert results["MLP"]["recall"] > 2 * results["popularity"]["recall"]
assert results["MLP"]["recall"] > 2 * results["random"]["recall"]

# %% [markdown]
# Precision and recall against k. With exactly 10 relevant products per customer, the
# oracle's precision is 1 up to k = 10 and falls after; its recall rises to 1 at k = 10.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for name, recommended in recommenders.items():
    axes[0].plot(KS, [precision_at_k(recommended, relevance, k) for k in KS], marker="o", label=name)
    axes[1].plot(KS, [recall_at_k(recommended, relevance, k) for k in KS], marker="o", label=name)
axes[0].set(xlabel="k", ylabel="precision@k", title="Precision against k")
axes[1].set(xlabel="k", ylabel="recall@k", title="Recall against k")
axes[1].legend()
plt.show()

# %% [markdown]
# ## 5. SVD, on customers it knows
#
# SVD cannot rank for new customers at all (notebook 02). On the random-pairs split, every
# customer has ratings in training, so SVD can rank for them. We compare it there with an
# MLP trained on the same split (`pairs_train`, from section 2).

# %%
known = np.arange(world.n_customers)
svd = fit_svd(pairs_train, world.n_customers, world.n_products, SVD_RANK)
svd_scores = svd.predict(np.repeat(known, world.n_products), np.tile(np.arange(world.n_products), len(known)))
pairs_mlp = build_mlp(pairs_train.features.shape[1])
pairs_mlp.compile(loss="mse", optimizer="adam")
pairs_mlp.fit(pairs_train.features, pairs_train.y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)

known_relevance = top_k_relevance(world.expected, K)
known_lists = {
    "SVD": top_k(svd_scores.reshape(len(known), world.n_products), K),
    "MLP": top_k(score_all(pairs_mlp, world.customer_features, world.product_features), K),
}
for name, recommended in known_lists.items():
    print(f"known customers, {name}: recall@{K} {recall_at_k(recommended, known_relevance, K):.3f}, "
          f"ndcg@{K} {ndcg_at_k(recommended, world.expected, K):.3f}")

# %% [markdown]
# ## 6. When MSE and ranking disagree
#
# MSE judges every predicted rating; a ranking only judges the order of each customer's
# products. Add a random offset to each customer's MLP scores: every rating is now off, so
# MSE gets much worse, but each customer's order is unchanged, so every ranking metric is
# identical. Compare it with popularity, whose ratings are closer on average but whose
# order ignores the customer:

# %%
mlp_scores = score_all(mlp, world.customer_features[new_customers], world.product_features)
observed = world.ratings[new_customers]
offset_scores = mlp_scores + rng.normal(0, 1.0, size=(n_new, 1))
popularity_scores = biases.predict_matrix()[new_customers]

mse, recall = {}, {}
print(f"{'':>22}{'MSE':>8}{'recall@10':>11}")
for name, predicted in [
    ("MLP", mlp_scores),
    ("MLP + customer offset", offset_scores),
    ("popularity (biases)", popularity_scores),
]:
    mse[name] = np.mean((predicted - observed) ** 2)
    recall[name] = recall_at_k(top_k(predicted, K), relevance, K)
    print(f"{name:>22}{mse[name]:>8.3f}{recall[name]:>11.3f}")

# %%
assert recall["MLP + customer offset"] == recall["MLP"]
assert mse["MLP + customer offset"] > mse["popularity (biases)"]
assert recall["MLP + customer offset"] > recall["popularity (biases)"]

# %% [markdown]
# So choose the metric for the job: MSE (or RMSE) when the predicted rating itself is shown
# or used; ranking metrics when what matters is the list.
#
# ## Summary
#
# - `score_all` scores all products for a batch of customers in one call; `top_k` returns a
#   flat `(n_customers, k)` array, best first, using `argpartition` and sorting only k.
# - The ground truth defines relevance; the oracle scores 1, which checks the metrics.
# - On new customers the MLP's recall@10 is more than twice popularity's and random's.
# - MSE and ranking can disagree: the MLP with a per-customer offset has a worse MSE than
#   popularity and a far better ranking.
#
# ## Exercises
#
# 1. Compute the MLP's recall@3 for the new customers: how often is the seed's top 3 in the
#    customer's true top 3? *Hint:* `top_k_relevance(truth, 3)`.
# 2. Exclude, for each held-out customer, the 10 products the MLP scores highest, and
#    recommend 10 more. What is recall now? *Hint:* build `exclude` from `top_k`.
# 3. Popularity's coverage is 0.2. Which model has the highest coverage, and is high
#    coverage always good? *Hint:* look at random.
