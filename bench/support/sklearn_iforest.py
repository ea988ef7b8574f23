"""Reference timing: read CSVs with pandas, fit sklearn IsolationForest, score_samples, write CSV.
Usage: python3 sklearn_iforest.py TRAIN.csv SCORE.csv OUT.csv [trees] [sample] [seed]
Prints one JSON line with phase timings."""
import json
import sys
import time

t0 = time.perf_counter()
import pandas as pd
from sklearn.ensemble import IsolationForest

train_path, score_path, out_path = sys.argv[1:4]
trees = int(sys.argv[4]) if len(sys.argv) > 4 else 100
sample = int(sys.argv[5]) if len(sys.argv) > 5 else 256
seed = int(sys.argv[6]) if len(sys.argv) > 6 else 0
t1 = time.perf_counter()
train = pd.read_csv(train_path)
score = pd.read_csv(score_path)
t2 = time.perf_counter()
model = IsolationForest(n_estimators=trees, max_samples=sample, random_state=seed).fit(train.values)
t3 = time.perf_counter()
scores = model.score_samples(score[train.columns].values)
t4 = time.perf_counter()
pd.DataFrame({"score": scores}).to_csv(out_path, index=False)
t5 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "fit_s": t3 - t2, "score_s": t4 - t3, "write_s": t5 - t4, "total_s": t5 - t0, "work_s": t5 - t1}))
