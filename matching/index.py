"""Reference index: ORB descriptors of every reference in a binary faiss IVF index
(candidate search by descriptor voting), keypoints and descriptors kept per reference
for geometric verification of the shortlist.

Search: every query descriptor (of the query and of its mirror image) finds its
nearest reference descriptors; a neighbour votes only if it is clearly nearer than
the nearest one from any other reference (generic structures such as glyphs match
everywhere). The references with most votes are verified with RANSAC; the score is
a function of the inliers that lie tightly on one homography, discounted when a
second plane explains many other matches (another photo of the same scene)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import faiss
import numpy as np

import cv2

from . import features
from .features import Features
from .verify import verify_pair

KP_BITS = 12            # faiss id = slot << KP_BITS | keypoint number
MAX_KP = 1 << KP_BITS


def _score(inliers: float, half: float) -> float:
    """Inlier count -> score in [0, 1); `half` inliers give 0.5."""
    return float(1.0 - 2.0 ** (-max(inliers, 0.0) / half))


class Index:
    # nn: neighbours per query descriptor; dmax: Hamming distance a neighbour may have;
    # ratio: database ratio test; shortlist: references verified per query; half: tight
    # inliers that give score 0.5 (the match threshold); thr: RANSAC pixels; p0/pw: the
    # second-plane discount; cover: share of the reference the inliers must span for
    # full weight (less is discounted in proportion).
    PARAMS = dict(nn=6, dmax=64, ratio=0.85, shortlist=20, half=15.0, nprobe=4, thr=6.0,
                  p0=8.0, pw=0.4, cover=0.15)

    def __init__(self, params: dict | None = None):
        self.p = dict(self.PARAMS, **(params or {}))
        self.checkpoint = 0
        self.names: list[str | None] = []
        self.slot_of: dict[str, int] = {}
        self.xy: list[np.ndarray | None] = []
        self.desc: list[np.ndarray | None] = []
        self.sizes: list[tuple] = []
        self.kscale: list[np.ndarray | None] = []
        self.faiss: faiss.IndexBinary | None = None
        self._pending: list[int] = []

    # ------------------------------------------------------------ building
    def add(self, name: str, feats: Features) -> None:
        if name in self.slot_of:
            self.remove(name)
        n = min(len(feats.desc), MAX_KP)
        slot = len(self.names)
        self.names.append(name)
        self.slot_of[name] = slot
        self.xy.append(feats.xy[:n])
        self.desc.append(feats.desc[:n])
        self.sizes.append(feats.size)
        self.kscale.append(feats.scale[:n].astype(np.float16))
        self._pending.append(slot)

    def remove(self, name: str) -> bool:
        slot = self.slot_of.pop(name, None)
        if slot is None:
            return False
        self.names[slot] = None
        self.xy[slot] = self.desc[slot] = self.kscale[slot] = None
        if self.faiss is not None:
            self.faiss.remove_ids(faiss.IDSelectorRange(slot << KP_BITS, (slot + 1) << KP_BITS))
        if slot in self._pending:
            self._pending.remove(slot)
        return True

    def __len__(self) -> int:
        return len(self.slot_of)

    def _flush(self) -> None:
        if self.faiss is None:
            all_desc = [d for d in self.desc if d is not None and len(d)]
            total = sum(len(d) for d in all_desc)
            nlist = int(max(1, min(4096, 2 ** round(np.log2(max(1, total) ** 0.5)))))
            quant = faiss.IndexBinaryFlat(256)
            ivf = faiss.IndexBinaryIVF(quant, 256, nlist)
            ivf.own_fields = True
            quant.this.disown()
            sample = np.concatenate(all_desc) if all_desc else np.zeros((1, 32), np.uint8)
            rng = np.random.default_rng(0)
            if len(sample) > 100 * nlist:
                sample = sample[rng.choice(len(sample), 100 * nlist, replace=False)]
            ivf.train(sample)
            self.faiss = ivf
            self._pending = [s for s, d in enumerate(self.desc) if d is not None]
        for slot in self._pending:
            d = self.desc[slot]
            if d is None or not len(d):
                continue
            ids = (np.int64(slot) << KP_BITS) + np.arange(len(d), dtype=np.int64)
            self.faiss.add_with_ids(d, ids)
        self._pending = []

    # ------------------------------------------------------------ search
    def correspondences(self, variants: list[Features]):
        """kNN of every query descriptor (all variants in one faiss call) -> candidate groups.
        Returns list of (votes, variant, slot, qidx, ridx) best first."""
        self._flush()
        self.faiss.nprobe = self.p["nprobe"]
        nn, dmax, ratio = self.p["nn"], self.p["dmax"], self.p["ratio"]
        descs = [f.desc for f in variants]
        var = np.concatenate([np.full(len(d), v, np.int64) for v, d in enumerate(descs)])
        qix = np.concatenate([np.arange(len(d), dtype=np.int64) for d in descs])
        if not len(var):
            return []
        D, I = self.faiss.search(np.concatenate(descs), nn)
        D = D.astype(np.float32)
        slot = np.where(I >= 0, I >> KP_BITS, -1)
        # database ratio test: a neighbour counts if it is clearly nearer than the nearest
        # neighbour from any *other* reference (generic structures such as glyphs match everywhere)
        other = np.full(D.shape, float(dmax + 20), np.float32)
        for j in range(nn):
            diff = (slot != slot[:, j:j + 1]) & (I >= 0)
            dd = np.where(diff, D, np.inf).min(axis=1)
            other[:, j] = np.minimum(dd, dmax + 20)
        ok = (I >= 0) & (D <= dmax) & (D <= ratio * other)
        r, c = np.nonzero(ok)
        if not len(r):
            return []
        key = var[r] * (1 << 40) + slot[r, c]
        order = np.lexsort((D[r, c], key))
        r, c, key = r[order], c[order], key[order]
        uk, start, counts = np.unique(key, return_index=True, return_counts=True)
        groups = []
        for k, s0, n in zip(uk.tolist(), start.tolist(), counts.tolist()):
            rr, cc = r[s0:s0 + n], c[s0:s0 + n]
            q = qix[rr]
            votes = len(np.unique(q))
            groups.append((votes, k >> 40, k & ((1 << 40) - 1), q, I[rr, cc] & (MAX_KP - 1)))
        groups.sort(key=lambda g: -g[0])
        return groups[: self.p["shortlist"]]

    def search(self, variants: list[Features], top: int = 5) -> list[dict]:
        cv2.setRNGSeed(12345)  # RANSAC draws: same answer for the same query, whatever ran before
        if not len(self):
            return []
        best: dict[int, float] = {}
        for votes, v, slot, q, rk in self.correspondences(variants):
            if self.names[slot] is None or votes < 5:
                continue
            f = variants[v]
            st = verify_pair(f.xy[q], self.xy[slot][rk], q, self.kscale[slot][rk].astype(np.float32),
                             self.sizes[slot], f.size, thr=self.p["thr"], qscale=f.scale[q])
            s = self.score(st)
            if s > best.get(slot, -1.0):
                best[slot] = s
        out = sorted(best.items(), key=lambda t: -t[1])[:top]
        return [(self.names[s], round(sc, 6)) for s, sc in out]

    def score(self, st: dict) -> float:
        """Evidence -> score in [0, 1): the count of tight inliers, discounted when a second
        plane explains many of the other matches ('similar scene', not 'copy')."""
        n, t, p2 = st["n"], st["tight"], st["plane2"]
        if n <= 0:
            return 0.0
        k2 = min(1.0, max(0.0, 1.0 - (p2 - self.p["p0"]) / (self.p["pw"] * n)))
        k3 = min(1.0, st["coverage"] / self.p["cover"])
        return _score(t * k2 * k3, self.p["half"])

    # ------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike) -> None:
        self._flush()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        faiss.write_index_binary(self.faiss, str(path / "descriptors.faiss"))
        counts = np.array([len(self.desc[s]) if self.names[s] is not None else 0 for s in range(len(self.names))], np.int64)
        xy = [self.xy[s] if self.names[s] is not None else np.zeros((0, 2), np.float32) for s in range(len(self.names))]
        de = [self.desc[s] if self.names[s] is not None else np.zeros((0, 32), np.uint8) for s in range(len(self.names))]
        ks = [self.kscale[s] if self.names[s] is not None else np.zeros(0, np.float16) for s in range(len(self.names))]
        np.savez(path / "refs.npz", counts=counts, kscale=np.concatenate(ks) if ks else np.zeros(0, np.float16), xy=np.concatenate(xy) if xy else np.zeros((0, 2), np.float32),
                 desc=np.concatenate(de) if de else np.zeros((0, 32), np.uint8),
                 sizes=np.array(self.sizes, np.int32).reshape(-1, 2))
        self.checkpoint += 1
        tmp = path / "meta.json.tmp"
        tmp.write_text(json.dumps({"names": self.names, "params": self.p, "features": features.CFG,
                                   "checkpoint": self.checkpoint}))
        os.replace(tmp, path / "meta.json")  # written last: a reader sees the whole index or the old one

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Index":
        path = Path(path)
        meta = json.loads((path / "meta.json").read_text())
        if meta.get("features", features.CFG) != features.CFG:
            raise ValueError(f"the index at {path} was built with other feature settings; rebuild it")
        idx = cls()
        idx.checkpoint = meta.get("checkpoint", 0)
        idx.names = meta["names"]
        idx.slot_of = {n: s for s, n in enumerate(idx.names) if n is not None}
        z = np.load(path / "refs.npz")
        off = np.concatenate([[0], np.cumsum(z["counts"])])
        xy, de = z["xy"], z["desc"]
        idx.xy = [xy[off[i]:off[i + 1]] if idx.names[i] is not None else None for i in range(len(idx.names))]
        idx.desc = [de[off[i]:off[i + 1]] if idx.names[i] is not None else None for i in range(len(idx.names))]
        idx.sizes = [tuple(s) for s in z["sizes"].tolist()]
        ks = z["kscale"]
        idx.kscale = [ks[off[i]:off[i + 1]] if idx.names[i] is not None else None for i in range(len(idx.names))]
        idx.faiss = faiss.read_index_binary(str(path / "descriptors.faiss"))
        return idx
