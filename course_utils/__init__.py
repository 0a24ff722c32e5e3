"""Helpers for the course Neural Networks for Recommender Systems.

Every notebook starts with `setup(seed=...)`; the rest lives in one module per concept:

- `reproducibility`: `setup`, the one call that seeds and pins every thread pool;
- `config`: the constants every notebook and helper shares, used as defaults;
- `validation`: the checks at the boundary of every public helper;
- `data`: the synthetic world with a hidden taste, pair tables and splits;
- `baselines`: the global mean, biases, truncated SVD and ALS;
- `models`: the Keras models, each built from its constructor arguments alone;
- `row_checks`: the guard rails of the models: mismatched rows never train silently;
- `model_checks`: the checks of the models' arguments (sizes, towers, features, ids);
- `recommend`: scoring every product for a batch of customers, and each one's top k;
- `metrics`: rating errors and ranking metrics of top-k lists;
- `plots`: the plots more than one notebook draws;
- `movielens`: MovieLens latest-small, offline, with contiguous ids;
- `serving`: top k over a large catalogue a block at a time, and a recommender;
- `export`: a trained two-tower as one SavedModel that answers top-k requests;
- `sequences`: ratings in time order, and the next-item protocol;
- `next_item`: notebook 09's protocol and models, for the notebooks after it;
- `purchase_logs`: purchase logs too big for memory, as sharded files;
- `distributed`: training on streamed batches, in one process or several workers;
- `worker`: one training worker, run as `python -m course_utils.worker`;
- `exercises`: the checks of the notebooks' exercises, one module per topic.
"""

from course_utils.reproducibility import setup

__all__ = ["setup"]
