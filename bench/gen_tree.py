#!/usr/bin/env python3
"""Generate a deterministic synthetic monorepo for benchmarking `flightcheck scan`.

The tree mixes JavaScript (CommonJS), TypeScript and Python roughly 40/35/25 by lines:

    package.json                  npm workspaces root
    packages/bot/                 JavaScript, "main": "src/index.js"
    packages/api/                 TypeScript, "main": "src/index.ts", tsconfig.json
    services/worker/              Python, pyproject.toml, package worker/ + worker/__main__.py

Every source file is 150-400 lines of ordinary application code (functions, classes, async
functions, express-style routes, try/catch, dataclasses, ...). Files import each other with
relative imports (and absolute `worker.*` imports in Python) so that every module is reachable
from its project's entry point, and the import graph has no cycles.

Usage: gen_tree.py [--lines N] [--out DIR] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass, field

MARKER = ".flightcheck-bench-tree"
MIN_LINES = 150
MAX_LINES = 400

DOMAINS = [
    "order", "user", "invoice", "payment", "session", "cart", "product", "inventory",
    "shipment", "review", "coupon", "report", "notification", "audit", "schedule", "ticket",
    "message", "channel", "subscription", "account", "profile", "setting", "webhook", "token",
    "media", "search", "metric", "queue", "job", "tenant", "booking", "refund", "address",
    "catalog", "price", "tax", "warehouse", "supplier", "customer", "employee",
]
QUALIFIERS = ["", "", "", "Pending", "Active", "Daily", "Cached", "Remote", "Local", "Archived",
              "Draft", "Bulk", "Scheduled", "Public", "Internal"]
CURRENCIES = ["USD", "EUR", "GBP", "CHF", "SEK", "PLN"]
STATUSES = ["pending", "active", "archived", "draft", "queued", "failed", "done"]

VOCAB = {
    "compute": (["compute", "calculate", "summarize", "aggregate", "tally"],
                ["Totals", "Summary", "Amounts", "Balance"]),
    "load": (["load", "fetch", "get", "read", "resolve"], ["Record", "Details", "Entry", "Snapshot"]),
    "validate": (["validate", "check", "verify"], ["Input", "Payload", "Request", "Draft", "Fields"]),
    "reduce": (["reduce", "apply"], ["Event", "Change", "Update"]),
    "routes": (["register", "mount"], ["Routes", "Endpoints", "Api"]),
    "batch": (["process", "run", "dispatch", "drain"], ["Batch", "Queue", "Jobs"]),
    "format": (["format", "render", "describe", "serialize"], ["Line", "Label", "Row", "Text"]),
    "group": (["group", "bucket", "index", "partition"], ["ByKey", "Rows", "Items"]),
    "sync": (["sync", "refresh", "reconcile", "replicate"], ["Records", "State", "Entries"]),
    "sign": (["sign", "hash", "fingerprint"], ["Payload", "Body", "Message"]),
    "fetch": (["fetch", "pull", "request", "download"], ["Record", "Resource", "Document"]),
    "match": (["handle", "apply", "fold"], ["Event", "Message", "Signal"]),
    "stream": (["stream", "iterate", "chunk"], ["Rows", "Batches", "Pages"]),
    "wire": (["bootstrap", "init", "wire", "setup"], ["Module", "Deps", "Services", "Context"]),
}
CLASS_KINDS = {
    "cache": ["Cache", "Memo", "Buffer", "LruCache"],
    "repo": ["Repository", "Dao", "Gateway", "Storage"],
    "data": ["Record", "Snapshot", "Entry", "Payload", "Summary", "Draft"],
    "enum": ["Status", "Kind", "Level", "Phase"],
}
CONST_KINDS = ["DEFAULTS", "LIMITS", "OPTIONS", "SETTINGS", "THRESHOLDS"]

JS_DIRS = {
    "handlers": ["handler", "commands", "events"],
    "services": ["service", "client", "gateway", "sync"],
    "models": ["model", "schema", "mapper"],
    "lib": ["cache", "queue", "store", "pipeline"],
    "utils": ["utils", "format", "validation", "helpers"],
    "middleware": ["auth", "limits", "context"],
    "jobs": ["job", "worker", "cron"],
}
TS_DIRS = {
    "routes": ["routes", "controller"],
    "services": ["service", "client", "gateway"],
    "repositories": ["repository", "store"],
    "models": ["model", "schema", "mapper"],
    "lib": ["cache", "queue", "pipeline"],
    "middleware": ["auth", "limits", "context"],
    "utils": ["utils", "format", "validation"],
}
PY_DIRS = {
    "tasks": ["tasks", "jobs", "handlers"],
    "services": ["service", "client", "gateway"],
    "models": ["models", "schemas", "records"],
    "utils": ["utils", "formatting", "validation"],
    "clients": ["client", "api", "transport"],
    "pipelines": ["pipeline", "steps", "stages"],
}
PATH_QUALIFIERS = ["admin", "public", "internal", "legacy", "bulk", "export", "import", "batch"]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass
class Symbol:
    name: str
    kind: str  # func | async | class | dataclass | const | enum | asyncgen
    params: tuple[str, ...] = ()  # roles of the required parameters ("any" accepts anything)


@dataclass
class Module:
    index: int
    path: str  # relative to the project root
    target: int
    children: list[int] = field(default_factory=list)
    imports: list[tuple[int, list[Symbol]]] = field(default_factory=list)
    exports: list[Symbol] = field(default_factory=list)


class Namer:
    """Project-wide unique identifiers (so imports never collide with local names)."""

    def __init__(self, rng: random.Random, style: str):
        self.rng = rng
        self.style = style  # camel | snake
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        for _ in range(12):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        base = make()
        n = 2
        while f"{base}{n}" in self.used:
            n += 1
        self.used.add(f"{base}{n}")
        return f"{base}{n}"

    def func(self, role: str, domain: str) -> str:
        verbs, nouns = VOCAB[role]
        rng = self.rng

        def make() -> str:
            name = rng.choice(verbs) + rng.choice(QUALIFIERS) + cap(domain) + rng.choice(nouns)
            return snake(name) if self.style == "snake" else name

        return self._unique(make)

    def cls(self, role: str, domain: str) -> str:
        rng = self.rng
        return self._unique(lambda: rng.choice(QUALIFIERS) + cap(domain) + rng.choice(CLASS_KINDS[role]))

    def const(self, domain: str) -> str:
        rng = self.rng
        return self._unique(lambda: f"{domain.upper()}_{rng.choice(CONST_KINDS)}")


_TS_ONLY = re.compile(r"⟨(.*?)⟩")
_JS_ONLY = re.compile(r"⟪(.*?)⟫")
_PLACEHOLDER = re.compile(r"%%(\w+)%%")


class FileCtx:
    """State while one file is rendered."""

    def __init__(self, lang: str, rng: random.Random, namer: Namer, domain: str, uses: list[Symbol]):
        self.lang = lang  # js | ts | py
        self.rng = rng
        self.namer = namer
        self.domain = domain
        self.pending = uses
        self.flags: set[str] = set()
        self.exports: list[Symbol] = []
        self.P = cap(domain)

    @property
    def ts(self) -> bool:
        return self.lang == "ts"

    def render(self, template: str, **vals) -> list[str]:
        vals.setdefault("dom", self.domain)
        vals.setdefault("P", self.P)
        vals.setdefault("plural", plural(self.domain))
        vals.setdefault("export", "export " if self.ts else "")
        out: list[str] = []
        for line in template.strip("\n").split("\n"):
            if line.strip() == "%%uses%%":
                indent = line[: len(line) - len(line.lstrip())]
                out.extend(indent + u for u in vals.get("uses", []))
                continue
            original = line
            if self.lang == "ts":
                line = _TS_ONLY.sub(r"\1", line)
                line = _JS_ONLY.sub("", line)
            elif self.lang == "js":
                line = _TS_ONLY.sub("", line)
                line = _JS_ONLY.sub(r"\1", line)
            line = _PLACEHOLDER.sub(lambda m: str(vals[m.group(1)]), line)
            if original.strip() and not line.strip() and "⟨⟩" not in original:
                continue
            if original.strip() == "⟨⟩" and self.lang != "ts":
                continue
            out.append(line.rstrip())
        return out

    def use_lines(self, avail: dict[str, str], in_async: bool) -> list[str]:
        """Call one pending imported function whose parameters match variables in scope."""
        if not self.pending or not avail or self.rng.random() < 0.25:
            return []
        for i, sym in enumerate(self.pending):
            if sym.kind not in ("func", "async") or (sym.kind == "async" and not in_async):
                continue
            if all(role == "any" or role in avail for role in sym.params):
                del self.pending[i]
                first = next(iter(avail.values()))
                args = [first if role == "any" else avail[role] for role in sym.params]
                call = f"{sym.name}({', '.join(args)})"
                if sym.kind == "async":
                    call = f"await {call}"
                return [call if self.lang == "py" else call + ";"]
        return []


def wire_args(sym: Symbol, lang: str) -> str:
    if lang == "py":
        return ", ".join("context" if r == "any" else f'context.get("{r}")' for r in sym.params)
    return ", ".join("context" if r == "any" else f"context.{r}" for r in sym.params)


# --------------------------------------------------------------------------------------------
# JavaScript / TypeScript templates (⟨...⟩ = TypeScript only, ⟪...⟫ = JavaScript only)
# --------------------------------------------------------------------------------------------

def js_compute(fc: FileCtx) -> list[str]:
    name = fc.namer.func("compute", fc.domain)
    fc.exports.append(Symbol(name, "func", ("items",)))
    return fc.render("""
%%export%%function %%name%%(
  items⟨: %%P%%Item[]⟩,
  options⟨: { discount?: number; currency?: string }⟩ = {},
)⟨: %%P%%Totals⟩ {
  %%uses%%
  const rows⟨: %%P%%Totals['rows']⟩ = [];
  let total = 0;
  for (const item of items || []) {
    if (!item || !item.active || item.quantity <= 0) {
      continue;
    }
    const amount = item.price * item.quantity;
    total += amount;
    rows.push({ id: item.id, amount, label: `${item.name} x${item.quantity}` });
  }
  if (options.discount && options.discount > 0) {
    total -= total * Math.min(options.discount, %%maxd%%);
  }
  return {
    total: Math.round(total * 100) / 100,
    rows,
    currency: options.currency || '%%cur%%',
  };
}
""", name=name, maxd=fc.rng.choice(["0.5", "0.3", "0.25", "0.8"]), cur=fc.rng.choice(CURRENCIES),
        uses=fc.use_lines({"items": "items"}, False))


def js_load(fc: FileCtx) -> list[str]:
    name = fc.namer.func("load", fc.domain)
    fc.exports.append(Symbol(name, "async", ("store", "id")))
    return fc.render("""
%%export%%async function %%name%%(
  store⟨: %%P%%Store⟩,
  id⟨: string⟩,
  options⟨: { includeHistory?: boolean; allowMissing?: boolean }⟩ = {},
)⟨: Promise<Record<string, unknown> | null>⟩ {
  %%uses%%
  const startedAt = Date.now();
  try {
    const record = await store.get(`%%dom%%:${id}`);
    if (!record) {
      const error⟨: Error & { status?: number }⟩ = new Error(`%%dom%% ${id} not found`);
      error.status = 404;
      throw error;
    }
    if (options.includeHistory) {
      record.history = await store.list(`%%dom%%:${id}:history`, { limit: %%limit%% });
    }
    return { ...record, loadedAt: new Date().toISOString() };
  } catch (err) {
    if (⟨(err as { status?: number }).status⟩⟪err.status⟫ === 404 && options.allowMissing) {
      return null;
    }
    throw err;
  } finally {
    const elapsed = Date.now() - startedAt;
    if (elapsed > %%slow%%) {
      console.warn(`%%name%% took ${elapsed}ms`);
    }
  }
}
""", name=name, limit=fc.rng.choice([10, 20, 25, 50, 100]), slow=fc.rng.choice([200, 250, 500, 1000]),
        uses=fc.use_lines({"store": "store", "id": "id"}, True))


JS_CHECKS = {
    "name": """
  if (typeof data.name !== 'string' || data.name.trim() === '') {
    errors.push('name is required');
  }""",
    "title": """
  if (typeof data.title !== 'string' || data.title.length > %%maxlen%%) {
    errors.push('title must be a string of at most %%maxlen%% characters');
  }""",
    "email": """
  if (typeof data.email !== 'string' || !/^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/.test(data.email)) {
    errors.push('email is invalid');
  }""",
    "quantity": """
  if (typeof data.quantity !== 'number' || data.quantity < 1 || data.quantity > %%maxq%%) {
    errors.push('quantity must be between 1 and %%maxq%%');
  }""",
    "price": """
  if (typeof data.price !== 'number' || Number.isNaN(data.price) || data.price < 0) {
    errors.push('price must be a positive number');
  }""",
    "tags": """
  if (data.tags !== undefined && (!Array.isArray(data.tags) || data.tags.length > %%maxtags%%)) {
    errors.push('tags must be a list of at most %%maxtags%% entries');
  }""",
    "status": """
  if (!%%statuses%%.includes(String(data.status))) {
    errors.push(`status must be one of ${%%statuses%%.join(', ')}`);
  }""",
    "currency": """
  if (data.currency !== undefined && !/^[A-Z]{3}$/.test(String(data.currency))) {
    errors.push('currency must be an ISO 4217 code');
  }""",
    "priority": """
  if (data.priority !== undefined && ![1, 2, 3, 4, 5].includes(Number(data.priority))) {
    errors.push('priority must be between 1 and 5');
  }""",
}


def js_validate(fc: FileCtx) -> list[str]:
    name = fc.namer.func("validate", fc.domain)
    fc.exports.append(Symbol(name, "func", ("any",)))
    fields = fc.rng.sample(sorted(JS_CHECKS), fc.rng.randint(3, 6))
    statuses = "[" + ", ".join(f"'{s}'" for s in fc.rng.sample(STATUSES, 3)) + "]"
    checks = "".join(JS_CHECKS[f] for f in fields)
    return fc.render("""
%%export%%function %%name%%(input⟨: unknown⟩)⟨: { valid: boolean; errors: string[] }⟩ {
  %%uses%%
  const errors⟨: string[]⟩ = [];
  if (typeof input !== 'object' || input === null) {
    return { valid: false, errors: ['payload must be an object'] };
  }
  const data = input⟨ as Record<string, unknown>⟩;""" + checks + """
  return { valid: errors.length === 0, errors };
}
""", name=name, maxlen=fc.rng.choice([80, 120, 200]), maxq=fc.rng.choice([10, 50, 99, 500]),
        maxtags=fc.rng.choice([5, 10, 20]), statuses=statuses, uses=fc.use_lines({"any": "input"}, False))


def js_reduce(fc: FileCtx) -> list[str]:
    name = fc.namer.func("reduce", fc.domain)
    fc.exports.append(Symbol(name, "func", ("state", "event")))
    return fc.render("""
%%export%%function %%name%%(state⟨: %%P%%State⟩, event⟨: %%P%%Event⟩)⟨: %%P%%State⟩ {
  switch (event.type) {
    case '%%dom%%.created':
      return { ...state, items: [...state.items, event.payload], updatedAt: event.at };
    case '%%dom%%.updated': {
      const patch = event.payload;
      return {
        ...state,
        items: state.items.map((item) => (item.id === patch.id ? { ...item, ...patch } : item)),
        updatedAt: event.at,
      };
    }
    case '%%dom%%.removed': {
      const removedId = event.payload.id;
      return {
        ...state,
        items: state.items.filter((item) => item.id !== removedId),
        updatedAt: event.at,
      };
    }
    default:
      return state;
  }
}
""", name=name)


def js_cache_class(fc: FileCtx) -> list[str]:
    name = fc.namer.cls("cache", fc.domain)
    fc.exports.append(Symbol(name, "class", ()))
    return fc.render("""
%%export%%class %%name%%⟨<T = unknown>⟩ {
⟨  private readonly entries: Map<string, { value: T; expiresAt: number }>;⟩
⟨  private readonly ttlMs: number;⟩
⟨  readonly name: string;⟩
⟨  private hits: number;⟩
⟨  private misses: number;⟩
⟨⟩
  constructor(options⟨: { ttlMs?: number; name?: string }⟩ = {}) {
    this.entries = new Map();
    this.ttlMs = options.ttlMs ?? %%ttl%%;
    this.name = options.name ?? '%%dom%%';
    this.hits = 0;
    this.misses = 0;
  }

  get size()⟨: number⟩ {
    return this.entries.size;
  }

  get(key⟨: string⟩)⟨: T | undefined⟩ {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses += 1;
      return undefined;
    }
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    return entry.value;
  }

  set(key⟨: string⟩, value⟨: T⟩)⟨: void⟩ {
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  async getOrLoad(key⟨: string⟩, loader⟨: (key: string) => Promise<T>⟩)⟨: Promise<T>⟩ {
    const cached = this.get(key);
    if (cached !== undefined) {
      return cached;
    }
    try {
      const value = await loader(key);
      this.set(key, value);
      return value;
    } catch (err) {
      console.error(`[${this.name}] failed to load ${key}`, err);
      throw err;
    }
  }

  prune(now⟨: number⟩ = Date.now())⟨: number⟩ {
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  stats()⟨: { name: string; size: number; hits: number; misses: number }⟩ {
    return { name: this.name, size: this.size, hits: this.hits, misses: this.misses };
  }
}
""", name=name, ttl=fc.rng.choice([30000, 60000, 300000, 900000]))


def js_repo_class(fc: FileCtx) -> list[str]:
    name = fc.namer.cls("repo", fc.domain)
    fc.exports.append(Symbol(name, "class", ("store",)))
    return fc.render("""
%%export%%class %%name%% {
⟨  private readonly store: %%P%%Store;⟩
⟨  private readonly prefix: string;⟩
⟨⟩
  constructor(store⟨: %%P%%Store⟩, prefix = '%%dom%%') {
    this.store = store;
    this.prefix = prefix;
  }

  key(id⟨: string⟩)⟨: string⟩ {
    return `${this.prefix}:${id}`;
  }

  async findById(id⟨: string⟩)⟨: Promise<%%P%%Item | null>⟩ {
    const row = await this.store.get(this.key(id));
    return row ? ⟨(row as unknown as %%P%%Item)⟩⟪row⟫ : null;
  }

  async list({ limit = %%limit%%, offset = 0 }⟨: { limit?: number; offset?: number }⟩ = {})⟨: Promise<%%P%%Item[]>⟩ {
    const rows = await this.store.list(this.prefix, { limit, offset });
    return rows⟨ as unknown as %%P%%Item[]⟩;
  }

  async save(item⟨: %%P%%Item⟩)⟨: Promise<%%P%%Item>⟩ {
    if (!item.id) {
      throw new Error('%%dom%% id is required');
    }
    const record = { ...item, updatedAt: new Date().toISOString() };
    await this.store.put(this.key(item.id), record);
    return record;
  }

  async remove(id⟨: string⟩)⟨: Promise<boolean>⟩ {
    try {
      return await this.store.delete(this.key(id));
    } catch (err) {
      console.error(`failed to remove %%dom%% ${id}`, err);
      return false;
    }
  }
}
""", name=name, limit=fc.rng.choice([20, 50, 100]))


def js_routes(fc: FileCtx) -> list[str]:
    name = fc.namer.func("routes", fc.domain)
    fc.exports.append(Symbol(name, "func", ("router", "repo")))
    fc.flags.add("express")
    return fc.render("""
%%export%%function %%name%%(router⟨: Router⟩, repo⟨: %%P%%Repo⟩)⟨: Router⟩ {
  %%uses%%
  router.get('/%%plural%%', async (req⟨: Request⟩, res⟨: Response⟩, next⟨: NextFunction⟩) => {
    try {
      const limit = Math.min(Number(req.query.limit) || %%limit%%, %%maxlimit%%);
      const offset = Number(req.query.offset) || 0;
      const rows = await repo.list({ limit, offset });
      res.json({ data: rows, limit, offset });
    } catch (err) {
      next(err);
    }
  });

  router.get('/%%plural%%/:id', async (req⟨: Request⟩, res⟨: Response⟩, next⟨: NextFunction⟩) => {
    try {
      const item = await repo.findById(req.params.id);
      if (!item) {
        res.status(404).json({ error: '%%dom%% not found' });
        return;
      }
      res.json(item);
    } catch (err) {
      next(err);
    }
  });

  router.post('/%%plural%%', async (req⟨: Request⟩, res⟨: Response⟩, next⟨: NextFunction⟩) => {
    try {
      const body⟨: Partial<%%P%%Item>⟩ = req.body || {};
      if (typeof body.name !== 'string' || body.name.length === 0) {
        res.status(400).json({ error: 'name is required' });
        return;
      }
      const saved = await repo.save({
        id: body.id || `%%dom%%_${Date.now().toString(36)}`,
        name: body.name,
        price: Number(body.price) || 0,
        quantity: Number(body.quantity) || 1,
        active: body.active !== false,
        tags: Array.isArray(body.tags) ? body.tags : [],
      });
      res.status(201).json(saved);
    } catch (err) {
      next(err);
    }
  });

  router.delete('/%%plural%%/:id', async (req⟨: Request⟩, res⟨: Response⟩, next⟨: NextFunction⟩) => {
    try {
      const removed = await repo.remove(req.params.id);
      res.status(removed ? 204 : 404).end();
    } catch (err) {
      next(err);
    }
  });

  return router;
}
""", name=name, limit=fc.rng.choice([10, 20, 25]), maxlimit=fc.rng.choice([100, 200, 500]),
        uses=fc.use_lines({"router": "router", "repo": "repo"}, False))


def js_batch(fc: FileCtx) -> list[str]:
    name = fc.namer.func("batch", fc.domain)
    fc.exports.append(Symbol(name, "async", ("list", "worker")))
    return fc.render("""
%%export%%async function %%name%%⟨<T, R>⟩(
  items⟨: T[]⟩,
  worker⟨: (item: T) => Promise<R>⟩,
  { concurrency = %%conc%%, retries = %%retries%% }⟨: { concurrency?: number; retries?: number }⟩ = {},
)⟨: Promise<Array<R | { error: string }>>⟩ {
  %%uses%%
  const results⟨: Array<R | { error: string }>⟩ = [];
  const queue = [...items];

  const runOne = async (item⟨: T⟩)⟨: Promise<R>⟩ => {
    let attempt = 0;
    for (;;) {
      try {
        return await worker(item);
      } catch (err) {
        attempt += 1;
        if (attempt > retries) {
          throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * %%base%%));
      }
    }
  };

  while (queue.length > 0) {
    const chunk = queue.splice(0, concurrency);
    const settled = await Promise.allSettled(chunk.map(runOne));
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') {
        results.push(outcome.value);
      } else {
        results.push({ error: String(outcome.reason) });
      }
    }
  }
  return results;
}
""", name=name, conc=fc.rng.choice([2, 4, 8]), retries=fc.rng.choice([1, 2, 3]),
        base=fc.rng.choice([50, 100, 250]), uses=fc.use_lines({}, True))


def js_format(fc: FileCtx) -> list[str]:
    name = fc.namer.func("format", fc.domain)
    fmt = fc.namer._unique(
        lambda: fc.domain + fc.rng.choice(["Currency", "Money", "Amount", "Price"]) + "Format")
    fc.exports.append(Symbol(name, "func", ("record",)))
    cur = fc.rng.choice(CURRENCIES)
    return fc.render("""
const %%fmt%% = new Intl.NumberFormat('en-US', { style: 'currency', currency: '%%cur%%' });

%%export%%function %%name%%(record⟨: Partial<%%P%%Item> | null | undefined⟩)⟨: string⟩ {
  %%uses%%
  if (!record) {
    return '';
  }
  const parts = [
    `#${record.id ?? '?'}`,
    record.name ? String(record.name).trim() : '(unnamed)',
    new Date(record.createdAt ?? Date.now()).toISOString().slice(0, 10),
  ];
  if (Array.isArray(record.tags) && record.tags.length > 0) {
    parts.push(record.tags.map((tag) => `[${tag}]`).join(' '));
  }
  if (typeof record.price === 'number') {
    parts.push(%%fmt%%.format(record.price));
  }
  return parts.join('%%sep%%');
}
""", name=name, fmt=fmt, cur=cur, sep=fc.rng.choice([" · ", " | ", " - ", ", "]),
        uses=fc.use_lines({"record": "record"}, False))


def js_group(fc: FileCtx) -> list[str]:
    name = fc.namer.func("group", fc.domain)
    fc.exports.append(Symbol(name, "func", ("items",)))
    return fc.render("""
%%export%%function %%name%%(
  rows⟨: %%P%%Item[]⟩,
  key⟨: keyof %%P%%Item⟩ = '%%field%%',
)⟨: Array<{ bucket: string; count: number; members: %%P%%Item[] }>⟩ {
  %%uses%%
  const groups = new Map⟨<string, %%P%%Item[]>⟩();
  for (const row of rows) {
    const bucket = String(row[key] ?? 'unknown');
    const members = groups.get(bucket);
    if (members) {
      members.push(row);
    } else {
      groups.set(bucket, [row]);
    }
  }
  return [...groups.entries()]
    .map(([bucket, members]) => ({ bucket, count: members.length, members }))
    .sort((a, b) => b.count - a.count);
}
""", name=name, field=fc.rng.choice(["name", "active", "quantity", "createdAt"]),
        uses=fc.use_lines({"items": "rows"}, False))


def js_constants(fc: FileCtx) -> list[str]:
    name = fc.namer.const(fc.domain)
    fc.exports.append(Symbol(name, "const"))
    rng = fc.rng
    entries = {
        "pageSize": rng.choice([20, 25, 50, 100]),
        "maxRetries": rng.randint(1, 5),
        "timeoutMs": rng.choice([2000, 5000, 10000, 15000]),
        "cacheTtlMs": rng.choice([30000, 60000, 300000]),
        "currency": f"'{rng.choice(CURRENCIES)}'",
        "defaultStatus": f"'{rng.choice(STATUSES)}'",
        "batchSize": rng.choice([50, 100, 250, 500]),
        "featureFlag": rng.choice(["true", "false"]),
    }
    keys = rng.sample(sorted(entries), rng.randint(4, 8))
    body = "\n".join(f"  {k}: {entries[k]}," for k in keys)
    return fc.render("%%export%%const %%name%% = Object.freeze({\n" + body + "\n});", name=name)


def js_sync(fc: FileCtx) -> list[str]:
    name = fc.namer.func("sync", fc.domain)
    fc.exports.append(Symbol(name, "async", ("store", "ids", "notify")))
    return fc.render("""
%%export%%async function %%name%%(
  store⟨: %%P%%Store⟩,
  ids⟨: string[]⟩,
  notify⟨: (message: string) => Promise<void>⟩,
)⟨: Promise<{ synced: number; failed: string[] }>⟩ {
  %%uses%%
  let synced = 0;
  const failed⟨: string[]⟩ = [];
  for (const id of ids) {
    try {
      const current = await store.get(`%%dom%%:${id}`);
      if (!current) {
        failed.push(id);
        continue;
      }
      await store.put(`%%dom%%:${id}`, { ...current, syncedAt: Date.now() });
      synced += 1;
    } catch (err) {
      failed.push(id);
      await notify(`sync of %%dom%% ${id} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failed.length > 0) {
    await notify(`%%dom%% sync finished with ${failed.length} failures`);
  }
  return { synced, failed };
}
""", name=name, uses=fc.use_lines({"store": "store", "ids": "ids", "notify": "notify"}, True))


def js_sign(fc: FileCtx) -> list[str]:
    name = fc.namer.func("sign", fc.domain)
    fc.exports.append(Symbol(name, "func", ("payload", "secret")))
    fc.flags.add("crypto")
    return fc.render("""
%%export%%function %%name%%(payload⟨: Record<string, unknown>⟩, secret⟨: string⟩)⟨: string⟩ {
  %%uses%%
  if (!secret) {
    throw new Error('%%name%%: secret is required');
  }
  const canonical = JSON.stringify(payload, Object.keys(payload || {}).sort());
  return crypto.createHmac('%%algo%%', secret).update(canonical).digest('hex');
}
""", name=name, algo=fc.rng.choice(["sha256", "sha512"]), uses=fc.use_lines({"payload": "payload", "secret": "secret"}, False))


JS_TEMPLATES = [
    (js_compute, 10), (js_load, 10), (js_validate, 8), (js_reduce, 6), (js_cache_class, 5),
    (js_repo_class, 6), (js_routes, 5), (js_batch, 6), (js_format, 8), (js_group, 8),
    (js_constants, 4), (js_sync, 8), (js_sign, 4),
]

TS_PREAMBLE = """
interface %%P%%Item {
  id: string;
  name: string;
  price: number;
  quantity: number;
  active: boolean;
  tags?: string[];
  createdAt?: string;
}

interface %%P%%Totals {
  total: number;
  rows: Array<{ id: string; amount: number; label: string }>;
  currency: string;
}

interface %%P%%Store {
  get(key: string): Promise<Record<string, unknown> | null>;
  list(key: string, options: { limit: number; offset?: number }): Promise<Array<Record<string, unknown>>>;
  put(key: string, value: Record<string, unknown>): Promise<void>;
  delete(key: string): Promise<boolean>;
}

interface %%P%%Repo {
  list(options: { limit: number; offset: number }): Promise<%%P%%Item[]>;
  findById(id: string): Promise<%%P%%Item | null>;
  save(item: %%P%%Item): Promise<%%P%%Item>;
  remove(id: string): Promise<boolean>;
}

type %%P%%Event =
  | { type: '%%dom%%.created'; at: string; payload: %%P%%Item }
  | { type: '%%dom%%.updated'; at: string; payload: Partial<%%P%%Item> & { id: string } }
  | { type: '%%dom%%.removed'; at: string; payload: { id: string } };

interface %%P%%State {
  items: %%P%%Item[];
  updatedAt: string | null;
}
"""


def js_wire(fc: FileCtx, name: str, symbols: list[Symbol]) -> list[str]:
    lines = [f"{'export ' if fc.ts else ''}async function {name}(context"
             + (": Record<string, any>" if fc.ts else "") + " = {})"
             + (": Promise<Record<string, unknown>>" if fc.ts else "") + " {",
             "  return {"]
    for sym in symbols:
        args = wire_args(sym, fc.lang)
        if sym.kind == "async":
            value = f"await {sym.name}({args})"
        elif sym.kind == "class":
            value = f"new {sym.name}({args})"
        else:
            value = f"{sym.name}({args})"
        lines.append(f"    {sym.name}: {value},")
    lines += ["  };", "}"]
    return lines


# --------------------------------------------------------------------------------------------
# Python templates
# --------------------------------------------------------------------------------------------

def py_dataclass(fc: FileCtx) -> list[str]:
    name = fc.namer.cls("data", fc.domain)
    fc.exports.append(Symbol(name, "dataclass", ("any",)))
    fc.flags.update({"dataclass", "datetime", "typing:Any"})
    status = fc.rng.choice(STATUSES)
    return fc.render('''
@dataclass
class %%name%%:
    id: str
    name: str
    amount: float = 0.0
    quantity: int = 1
    status: str = "%%status%%"
    tags: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(self.amount * self.quantity, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "amount": self.amount,
            "quantity": self.quantity,
            "status": self.status,
            "tags": list(self.tags),
            "created_at": self.created_at.isoformat(),
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> %%name%%:
        created = data.get("created_at")
        return cls(
            id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            amount=float(data.get("amount", 0.0)),
            quantity=int(data.get("quantity", 1)),
            status=str(data.get("status", "%%status%%")),
            tags=list(data.get("tags", [])),
            created_at=datetime.fromisoformat(created) if created else datetime.now(timezone.utc),
            metadata=dict(data.get("metadata", {})),
        )
''', name=name, status=status)


def py_fetch(fc: FileCtx) -> list[str]:
    name = fc.namer.func("fetch", fc.domain)
    fc.exports.append(Symbol(name, "async", ("client", "id")))
    fc.flags.update({"asyncio", "typing:Any"})
    return fc.render('''
async def %%name%%(client: Any, %%dom%%_id: str, *, retries: int = %%retries%%) -> dict[str, Any] | None:
    %%uses%%
    delay = %%base%%
    for attempt in range(1, retries + 1):
        try:
            response = await client.get(f"/%%plural%%/{%%dom%%_id}")
            if response.status == 404:
                return None
            response.raise_for_status()
            return await response.json()
        except asyncio.TimeoutError:
            logger.warning("timeout fetching %%dom%% %s (attempt %d)", %%dom%%_id, attempt)
        except ConnectionError as exc:
            logger.warning("connection error while fetching %%dom%% %s: %s", %%dom%%_id, exc)
        await asyncio.sleep(delay)
        delay *= 2
    raise RuntimeError(f"giving up on %%dom%% {%%dom%%_id} after {retries} attempts")
''', name=name, retries=fc.rng.choice([2, 3, 5]), base=fc.rng.choice(["0.1", "0.25", "0.5", "1.0"]),
        uses=fc.use_lines({"client": "client", "id": f"{fc.domain}_id"}, True))


def py_compute(fc: FileCtx) -> list[str]:
    name = fc.namer.func("compute", fc.domain)
    fc.exports.append(Symbol(name, "func", ("items",)))
    fc.flags.update({"typing:Any", "typing:Iterable"})
    return fc.render('''
def %%name%%(items: Iterable[dict[str, Any]], discount: float = 0.0) -> dict[str, Any]:
    %%uses%%
    rows: list[dict[str, Any]] = []
    total = 0.0
    for item in items:
        if not item or not item.get("active", True):
            continue
        quantity = int(item.get("quantity", 0))
        if quantity <= 0:
            continue
        amount = float(item.get("price", 0.0)) * quantity
        total += amount
        rows.append({"id": item.get("id"), "amount": amount, "label": f"{item.get('name', '?')} x{quantity}"})
    if discount > 0:
        total -= total * min(discount, %%maxd%%)
    return {"total": round(total, 2), "rows": rows, "currency": "%%cur%%"}
''', name=name, maxd=fc.rng.choice(["0.5", "0.3", "0.25"]), cur=fc.rng.choice(CURRENCIES),
        uses=fc.use_lines({"items": "items"}, False))


def py_cache_class(fc: FileCtx) -> list[str]:
    name = fc.namer.cls("cache", fc.domain)
    fc.exports.append(Symbol(name, "class", ()))
    fc.flags.update({"asyncio", "time", "typing:Any", "typing:Awaitable", "typing:Callable"})
    return fc.render('''
class %%name%%:
    """In-process TTL cache for %%dom%% lookups."""

    def __init__(self, ttl_seconds: float = %%ttl%%, name: str = "%%dom%%") -> None:
        self.ttl_seconds = ttl_seconds
        self.name = name
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = asyncio.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def size(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        expires_at, value = entry
        if expires_at < time.monotonic():
            del self._entries[key]
            self.misses += 1
            return None
        self.hits += 1
        return value

    def set(self, key: str, value: Any) -> None:
        self._entries[key] = (time.monotonic() + self.ttl_seconds, value)

    async def get_or_load(self, key: str, loader: Callable[[str], Awaitable[Any]]) -> Any:
        async with self._lock:
            cached = self.get(key)
            if cached is not None:
                return cached
            try:
                value = await loader(key)
            except Exception:
                logger.exception("%s: loader failed for %s", self.name, key)
                raise
            self.set(key, value)
            return value

    def prune(self) -> int:
        now = time.monotonic()
        expired = [key for key, (expires_at, _) in self._entries.items() if expires_at < now]
        for key in expired:
            del self._entries[key]
        return len(expired)
''', name=name, ttl=fc.rng.choice(["30.0", "60.0", "300.0", "900.0"]))


def py_repo_class(fc: FileCtx) -> list[str]:
    name = fc.namer.cls("repo", fc.domain)
    fc.exports.append(Symbol(name, "class", ("pool",)))
    fc.flags.update({"typing:Any"})
    return fc.render('''
class %%name%%:
    """Persistence for %%plural%% (asyncpg pool)."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    async def get(self, %%dom%%_id: str) -> dict[str, Any] | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT * FROM %%plural%% WHERE id = $1", %%dom%%_id)
        return dict(row) if row else None

    async def list_recent(self, limit: int = %%limit%%) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT * FROM %%plural%% ORDER BY created_at DESC LIMIT $1",
                limit,
            )
        return [dict(row) for row in rows]

    async def upsert(self, record: dict[str, Any]) -> None:
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO %%plural%% (id, payload) VALUES ($1, $2) "
                    "ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload",
                    record["id"],
                    record,
                )

    async def delete(self, %%dom%%_id: str) -> bool:
        try:
            async with self.pool.acquire() as conn:
                result = await conn.execute("DELETE FROM %%plural%% WHERE id = $1", %%dom%%_id)
        except Exception:
            logger.exception("failed to delete %%dom%% %s", %%dom%%_id)
            return False
        return result.endswith("1")
''', name=name, limit=fc.rng.choice([20, 50, 100]))


def py_gather(fc: FileCtx) -> list[str]:
    name = fc.namer.func("batch", fc.domain)
    fc.exports.append(Symbol(name, "async", ("items", "handler")))
    fc.flags.update({"asyncio", "typing:Any", "typing:Awaitable", "typing:Callable", "typing:Iterable"})
    return fc.render('''
async def %%name%%(
    items: Iterable[Any],
    handler: Callable[[Any], Awaitable[Any]],
    limit: int = %%conc%%,
) -> list[Any]:
    %%uses%%
    semaphore = asyncio.Semaphore(limit)

    async def run(item: Any) -> Any:
        async with semaphore:
            try:
                return await asyncio.wait_for(handler(item), timeout=%%timeout%%)
            except asyncio.TimeoutError:
                logger.warning("%%dom%% handler timed out for %r", item)
                return None

    results = await asyncio.gather(*(run(item) for item in items), return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        logger.error("%d of %d %%dom%% jobs failed", len(failures), len(results))
    return [result for result in results if not isinstance(result, BaseException)]
''', name=name, conc=fc.rng.choice([2, 4, 8, 16]), timeout=fc.rng.choice(["5.0", "10.0", "30.0"]),
        uses=fc.use_lines({"items": "items", "handler": "handler"}, True))


PY_CHECKS = {
    "name": '''
    name = payload.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append("name is required")''',
    "email": '''
    email = payload.get("email")
    if not isinstance(email, str) or "@" not in email or email.startswith("@"):
        errors.append("email is invalid")''',
    "quantity": '''
    quantity = payload.get("quantity")
    if not isinstance(quantity, int) or not 1 <= quantity <= %%maxq%%:
        errors.append("quantity must be between 1 and %%maxq%%")''',
    "price": '''
    price = payload.get("price")
    if not isinstance(price, (int, float)) or price < 0:
        errors.append("price must be a positive number")''',
    "tags": '''
    tags = payload.get("tags", [])
    if not isinstance(tags, list) or len(tags) > %%maxtags%%:
        errors.append("tags must be a list of at most %%maxtags%% entries")''',
    "status": '''
    status = payload.get("status")
    if status not in %%statuses%%:
        errors.append(f"status must be one of {', '.join(%%statuses%%)}")''',
    "currency": '''
    currency = payload.get("currency", "USD")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isupper()):
        errors.append("currency must be an ISO 4217 code")''',
    "priority": '''
    priority = payload.get("priority", 3)
    if priority not in (1, 2, 3, 4, 5):
        errors.append("priority must be between 1 and 5")''',
}


def py_validate(fc: FileCtx) -> list[str]:
    name = fc.namer.func("validate", fc.domain)
    fc.exports.append(Symbol(name, "func", ("payload",)))
    fc.flags.add("typing:Any")
    fields = fc.rng.sample(sorted(PY_CHECKS), fc.rng.randint(3, 6))
    statuses = "(" + ", ".join(f"'{s}'" for s in fc.rng.sample(STATUSES, 3)) + ")"
    return fc.render('''
def %%name%%(payload: dict[str, Any]) -> list[str]:
    %%uses%%
    errors: list[str] = []''' + "".join(PY_CHECKS[f] for f in fields) + '''
    return errors
''', name=name, maxq=fc.rng.choice([10, 50, 99]), maxtags=fc.rng.choice([5, 10, 20]),
        statuses=statuses, uses=fc.use_lines({"payload": "payload"}, False))


def py_group(fc: FileCtx) -> list[str]:
    name = fc.namer.func("group", fc.domain)
    fc.exports.append(Symbol(name, "func", ("items",)))
    fc.flags.update({"defaultdict", "typing:Any", "typing:Iterable"})
    return fc.render('''
def %%name%%(rows: Iterable[dict[str, Any]], key: str = "%%field%%") -> dict[str, list[dict[str, Any]]]:
    %%uses%%
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[str(row.get(key, "unknown"))].append(row)
    return dict(sorted(groups.items(), key=lambda pair: len(pair[1]), reverse=True))
''', name=name, field=fc.rng.choice(["status", "currency", "owner_id", "kind"]),
        uses=fc.use_lines({"items": "rows"}, False))


def py_match(fc: FileCtx) -> list[str]:
    name = fc.namer.func("match", fc.domain)
    fc.exports.append(Symbol(name, "func", ("state", "event")))
    fc.flags.add("typing:Any")
    return fc.render('''
def %%name%%(state: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    %%uses%%
    match event.get("type"):
        case "%%dom%%.created":
            items = [*state.get("items", []), event["payload"]]
        case "%%dom%%.updated":
            patch = event["payload"]
            items = [
                {**item, **patch} if item.get("id") == patch.get("id") else item
                for item in state.get("items", [])
            ]
        case "%%dom%%.removed":
            removed_id = event["payload"]["id"]
            items = [item for item in state.get("items", []) if item.get("id") != removed_id]
        case _:
            return state
    return {**state, "items": items, "updated_at": event.get("at")}
''', name=name, uses=fc.use_lines({"state": "state", "event": "event"}, False))


def py_enum(fc: FileCtx) -> list[str]:
    name = fc.namer.cls("enum", fc.domain)
    fc.exports.append(Symbol(name, "enum"))
    fc.flags.add("enum")
    members = fc.rng.sample(STATUSES, fc.rng.randint(3, 6))
    body = "\n".join(f'    {m.upper()} = "{m}"' for m in members)
    return fc.render(f"class %%name%%(str, Enum):\n{body}", name=name)


def py_stream(fc: FileCtx) -> list[str]:
    name = fc.namer.func("stream", fc.domain)
    fc.exports.append(Symbol(name, "asyncgen"))
    fc.flags.update({"typing:Any", "typing:AsyncIterator"})
    return fc.render('''
async def %%name%%(source: Any, batch_size: int = %%size%%) -> AsyncIterator[list[Any]]:
    batch: list[Any] = []
    async for row in source:
        batch.append(row)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch
''', name=name, size=fc.rng.choice([50, 100, 500]))


def py_constants(fc: FileCtx) -> list[str]:
    name = fc.namer.const(fc.domain)
    fc.exports.append(Symbol(name, "const"))
    rng = fc.rng
    entries = {
        "page_size": rng.choice([20, 25, 50, 100]),
        "max_retries": rng.randint(1, 5),
        "timeout_seconds": rng.choice(["2.0", "5.0", "10.0"]),
        "currency": f'"{rng.choice(CURRENCIES)}"',
        "default_status": f'"{rng.choice(STATUSES)}"',
        "batch_size": rng.choice([50, 100, 250]),
        "enabled": rng.choice(["True", "False"]),
    }
    keys = rng.sample(sorted(entries), rng.randint(4, 7))
    fc.flags.add("typing:Any")
    body = "\n".join(f'    "{k}": {entries[k]},' for k in keys)
    return fc.render("%%name%%: dict[str, Any] = {\n" + body + "\n}", name=name)


PY_TEMPLATES = [
    (py_dataclass, 8), (py_fetch, 10), (py_compute, 9), (py_cache_class, 5), (py_repo_class, 7),
    (py_gather, 8), (py_validate, 8), (py_group, 7), (py_match, 6), (py_enum, 4), (py_stream, 4),
    (py_constants, 4),
]


def py_wire(name: str, symbols: list[Symbol]) -> list[str]:
    lines = [f"async def {name}(context: dict[str, Any]) -> dict[str, Any]:", "    return {"]
    for sym in symbols:
        args = wire_args(sym, "py")
        if sym.kind == "async":
            value = f"await {sym.name}({args})"
        elif sym.kind == "dataclass":
            value = f"{sym.name}.from_dict(context)"
        else:
            value = f"{sym.name}({args})"
        lines.append(f'        "{sym.name}": {value},')
    lines += ["    }"]
    return lines


# --------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------

IMPORTABLE = {"func", "async", "class", "dataclass"}


class Project:
    def __init__(self, lang: str, root: str, entry: str, dirs: dict[str, list[str]],
                 budget: int, rng: random.Random):
        self.lang = lang
        self.root = root
        self.rng = rng
        self.namer = Namer(rng, "snake" if lang == "py" else "camel")
        self.modules: list[Module] = []
        ext = {"js": ".js", "ts": ".ts", "py": ".py"}[lang]
        used_paths = {entry}
        total = 0
        while total < budget:
            target = rng.randint(MIN_LINES + 20, MAX_LINES - 40)
            if not self.modules:
                path = entry
            else:
                path = self._new_path(dirs, ext, used_paths)
            self.modules.append(Module(len(self.modules), path, target))
            total += target
        # A random recursive tree rooted at the entry point, plus extra forward edges (a DAG).
        n = len(self.modules)
        for k in range(1, n):
            self.modules[rng.randrange(0, k)].children.append(k)
        for k in range(n - 1):
            mod = self.modules[k]
            if rng.random() < 0.5:
                extra = {rng.randrange(k + 1, n) for _ in range(rng.randint(1, 2))}
                mod.children.extend(sorted(extra - set(mod.children)))

    def _new_path(self, dirs: dict[str, list[str]], ext: str, used: set[str]) -> str:
        rng = self.rng
        base = "worker" if self.lang == "py" else "src"
        for attempt in range(50):
            sub = rng.choice(sorted(dirs))
            domain = rng.choice(DOMAINS)
            kind = rng.choice(dirs[sub])
            parts = [domain, kind]
            if attempt >= 5:
                parts.insert(0, rng.choice(PATH_QUALIFIERS))
            if attempt >= 30:
                parts.append(str(attempt))
            if self.lang == "js":
                stem = "-".join(parts)
            elif self.lang == "ts":
                stem = parts[0] + "".join(cap(p) for p in parts[1:])
            else:
                stem = "_".join(parts)
            path = f"{base}/{sub}/{stem}{ext}"
            if path not in used:
                used.add(path)
                return path
        raise RuntimeError("could not find a free module path")

    @staticmethod
    def domain_of(path: str) -> str:
        stem = os.path.splitext(os.path.basename(path))[0]
        words = re.split(r"[-_]|(?<=[a-z])(?=[A-Z])", stem)
        for w in words:
            if w.lower() in DOMAINS:
                return w.lower()
        return "app"

    def generate(self) -> dict[str, str]:
        files: dict[str, str] = {}
        # Importees have higher indices, so render back to front.
        for mod in reversed(self.modules):
            for child in mod.children:
                candidates = [s for s in self.modules[child].exports if s.kind in IMPORTABLE]
                if not candidates:
                    continue
                picked = self.rng.sample(candidates, min(len(candidates), self.rng.randint(1, 3)))
                mod.imports.append((child, picked))
            files[os.path.join(self.root, mod.path)] = self.render_module(mod)
        return files

    # -- rendering ---------------------------------------------------------------------------

    def import_lines(self, mod: Module) -> list[str]:
        out: list[str] = []
        for child, symbols in mod.imports:
            names = [s.name for s in symbols]
            target = self.modules[child].path
            if self.lang == "py":
                spec = self.py_module_spec(mod.path, target)
                line = f"from {spec} import {', '.join(names)}"
                if len(line) > 100:
                    line = f"from {spec} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
            else:
                spec = os.path.relpath(os.path.splitext(target)[0], os.path.dirname(mod.path))
                if not spec.startswith("."):
                    spec = "./" + spec
                if self.lang == "js":
                    line = f"const {{ {', '.join(names)} }} = require('{spec}');"
                    if len(line) > 100:
                        line = "const {\n" + "".join(f"  {n},\n" for n in names) + f"}} = require('{spec}');"
                else:
                    line = f"import {{ {', '.join(names)} }} from '{spec}';"
                    if len(line) > 100:
                        line = "import {\n" + "".join(f"  {n},\n" for n in names) + f"}} from '{spec}';"
            out.extend(line.split("\n"))
        return out

    def py_module_spec(self, importer: str, target: str) -> str:
        imp_pkg = os.path.dirname(importer).split("/")
        tgt = os.path.splitext(target)[0].split("/")
        tgt_pkg, tgt_mod = tgt[:-1], tgt[-1]
        if tgt_pkg == imp_pkg:
            return "." + tgt_mod
        if self.rng.random() < 0.5:
            return ".".join(tgt)
        if len(imp_pkg) == 1:  # worker/__main__.py
            return "." + ".".join(tgt[1:])
        return ".." + ".".join(tgt[1:])

    def render_module(self, mod: Module) -> str:
        rng = self.rng
        is_entry = mod.index == 0
        uses = [s for _, symbols in mod.imports for s in symbols]
        rng.shuffle(uses)
        fc = FileCtx(self.lang, rng, self.namer, self.domain_of(mod.path), uses)
        imports = self.import_lines(mod)
        templates = JS_TEMPLATES if self.lang in ("js", "ts") else PY_TEMPLATES
        funcs, weights = zip(*templates)
        preamble = fc.render(TS_PREAMBLE) if self.lang == "ts" else []
        fixed = len(imports) + len(preamble) + (60 if is_entry else 12)
        body: list[str] = []
        failures = 0
        while True:
            reserve = fixed + len(fc.exports) + (len(fc.pending) + 6 if fc.pending else 0)
            if len(body) + reserve >= mod.target or failures > 20:
                break
            saved_pending, saved_exports, saved_flags = list(fc.pending), list(fc.exports), set(fc.flags)
            chunk = rng.choices(funcs, weights)[0](fc)
            if len(body) + len(chunk) + 1 + reserve + 2 > MAX_LINES - 5:
                fc.pending, fc.exports, fc.flags = saved_pending, saved_exports, saved_flags
                failures += 1
                continue
            body.extend(chunk)
            body.append("")
            if self.lang == "py":
                body.append("")
        wire_name = None
        if fc.pending or is_entry:
            wire_name = self.namer.func("wire", fc.domain)
            if self.lang == "py":
                body.extend(py_wire(wire_name, fc.pending))
                body += ["", ""]
                fc.exports.append(Symbol(wire_name, "async", ("any",)))
            else:
                body.extend(js_wire(fc, wire_name, fc.pending))
                body.append("")
                fc.exports.append(Symbol(wire_name, "async", ()))
            if self.lang == "py" and not fc.pending:
                fc.flags.add("typing:Any")
            fc.flags.add("typing:Any")
            fc.pending = []
        if is_entry:
            body.extend(self.entry_main(wire_name))
        mod.exports = [] if is_entry else fc.exports
        return self.assemble(fc, mod, imports, preamble, body)

    def entry_main(self, wire_name: str) -> list[str]:
        if self.lang == "js":
            return f"""
const PORT = Number(process.env.PORT) || 8080;

async function main() {{
  const context = {{ env: process.env.NODE_ENV || 'development', startedAt: Date.now() }};
  const modules = await {wire_name}(context);
  const server = http.createServer((req, res) => {{
    if (req.url === '/health') {{
      res.writeHead(200, {{ 'content-type': 'application/json' }});
      res.end(JSON.stringify({{ ok: true, modules: Object.keys(modules).length }}));
      return;
    }}
    res.writeHead(404);
    res.end();
  }});
  server.listen(PORT, () => console.log(`bot listening on ${{PORT}}`));
  const shutdown = () => server.close(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}}

main().catch((err) => {{
  console.error(err);
  process.exit(1);
}});""".strip("\n").split("\n")
        if self.lang == "ts":
            return f"""
const PORT = Number(process.env.PORT) || 3000;

export async function main(): Promise<void> {{
  const app = express();
  app.use(express.json({{ limit: '1mb' }}));
  const modules = await {wire_name}({{ env: process.env.NODE_ENV ?? 'development' }});
  app.get('/health', (_req, res) => {{
    res.json({{ ok: true, modules: Object.keys(modules).length }});
  }});
  const server = app.listen(PORT, () => console.log(`api listening on ${{PORT}}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}}

main().catch((err: unknown) => {{
  console.error(err);
  process.exit(1);
}});""".strip("\n").split("\n")
        return f'''
async def main() -> None:
    logging.basicConfig(level=logging.INFO)
    context: dict[str, Any] = {{"env": os.environ.get("WORKER_ENV", "development")}}
    modules = await {wire_name}(context)
    logger.info("worker started with %d modules", len(modules))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    logger.info("worker stopping")


def run() -> None:
    asyncio.run(main())


if __name__ == "__main__":
    run()'''.strip("\n").split("\n")

    def assemble(self, fc: FileCtx, mod: Module, imports: list[str], preamble: list[str],
                 body: list[str]) -> str:
        is_entry = mod.index == 0
        while body and body[-1] == "":
            body.pop()
        out: list[str] = []
        if self.lang == "js":
            out.append("'use strict';")
            out.append("")
            std = []
            if is_entry:
                std.append("const http = require('http');")
            if "crypto" in fc.flags:
                std.append("const crypto = require('crypto');")
            out.extend(std)
            if std and imports:
                out.append("")
            out.extend(imports)
            out.append("")
            out.extend(body)
            names = [s.name for s in fc.exports]
            if names and not is_entry:
                out.append("")
                out.append("module.exports = {")
                out.extend(f"  {n}," for n in names)
                out.append("};")
        elif self.lang == "ts":
            std = []
            if is_entry:
                std.append("import express from 'express';")
            if "express" in fc.flags:
                std.append("import type { NextFunction, Request, Response, Router } from 'express';")
            if "crypto" in fc.flags:
                std.append("import * as crypto from 'crypto';")
            out.extend(std)
            if std and imports:
                out.append("")
            out.extend(imports)
            if out:
                out.append("")
            out.extend(preamble)
            out.append("")
            out.extend(body)
        else:
            title = cap(fc.domain)
            out.append(f'"""{title} {"entry point" if is_entry else "module"} of the worker service."""')
            out.append("")
            out.append("from __future__ import annotations")
            out.append("")
            std = ["import logging"]
            if "asyncio" in fc.flags or is_entry:
                std.append("import asyncio")
            if "time" in fc.flags:
                std.append("import time")
            if is_entry:
                std += ["import os", "import signal"]
            froms = []
            if "defaultdict" in fc.flags:
                froms.append("from collections import defaultdict")
            if "dataclass" in fc.flags:
                froms.append("from dataclasses import dataclass, field")
            if "datetime" in fc.flags:
                froms.append("from datetime import datetime, timezone")
            if "enum" in fc.flags:
                froms.append("from enum import Enum")
            typing_names = sorted(f.split(":", 1)[1] for f in fc.flags if f.startswith("typing:"))
            if typing_names:
                froms.append(f"from typing import {', '.join(typing_names)}")
            out.extend(sorted(std))
            out.extend(froms)
            if imports:
                out.append("")
                out.extend(imports)
            out.append("")
            out.append("logger = logging.getLogger(__name__)")
            out.append("")
            out.append("")
            out.extend(body)
        return "\n".join(out).rstrip("\n") + "\n"


def project_files(lang_files: dict[str, dict[str, str]]) -> dict[str, str]:
    files: dict[str, str] = {}
    files["package.json"] = json.dumps({
        "name": "bench-monorepo",
        "private": True,
        "workspaces": ["packages/*"],
        "scripts": {
            "start": "npm run start --workspace packages/api",
            "start:bot": "npm run start --workspace packages/bot",
        },
    }, indent=2) + "\n"
    files["packages/api/package.json"] = json.dumps({
        "name": "@bench/api",
        "version": "1.0.0",
        "private": True,
        "main": "src/index.ts",
        "scripts": {"start": "ts-node src/index.ts", "build": "tsc -p ."},
        "dependencies": {"express": "^4.19.2"},
        "devDependencies": {"@types/express": "^4.17.21", "@types/node": "^20.12.7",
                            "ts-node": "^10.9.2", "typescript": "^5.4.5"},
    }, indent=2) + "\n"
    files["packages/api/tsconfig.json"] = json.dumps({
        "compilerOptions": {
            "target": "ES2022", "module": "commonjs", "moduleResolution": "node",
            "rootDir": "src", "outDir": "dist", "strict": True, "esModuleInterop": True,
            "skipLibCheck": True,
        },
        "include": ["src"],
    }, indent=2) + "\n"
    files["packages/bot/package.json"] = json.dumps({
        "name": "@bench/bot",
        "version": "1.0.0",
        "private": True,
        "main": "src/index.js",
        "scripts": {"start": "node src/index.js"},
    }, indent=2) + "\n"
    files["services/worker/pyproject.toml"] = """[project]
name = "worker"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["asyncpg>=0.29", "aiohttp>=3.9"]

[project.scripts]
worker = "worker.__main__:run"

[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"
"""
    files["services/worker/worker/__init__.py"] = '"""Background worker."""\n\n__version__ = "0.1.0"\n'
    for sub in sorted(PY_DIRS):
        files[f"services/worker/worker/{sub}/__init__.py"] = f'"""{cap(sub)} of the worker."""\n'
    for group in lang_files.values():
        files.update(group)
    return files


def main(argv: list[str] | None = None) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=300_000, help="approximate total source lines")
    parser.add_argument("--out", default=os.path.join(here, "out", "tree"), help="output directory")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed (default fixed)")
    args = parser.parse_args(argv)
    if args.lines < 3 * MAX_LINES:
        parser.error(f"--lines must be at least {3 * MAX_LINES}")

    out = os.path.abspath(args.out)
    if os.path.exists(out):
        if os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
            print(f"refusing to overwrite {out}: not a generated tree (no {MARKER})", file=sys.stderr)
            return 2
        shutil.rmtree(out)

    rng = random.Random(args.seed)
    shares = {"js": 0.40, "ts": 0.35, "py": 0.25}
    specs = {
        "js": ("packages/bot", "src/index.js", JS_DIRS),
        "ts": ("packages/api", "src/index.ts", TS_DIRS),
        "py": ("services/worker", "worker/__main__.py", PY_DIRS),
    }
    lang_files = {}
    for lang, (root, entry, dirs) in specs.items():
        project = Project(lang, root, entry, dirs, int(args.lines * shares[lang]), random.Random(rng.randrange(2**32)))
        lang_files[lang] = project.generate()

    files = project_files(lang_files)
    for rel, text in sorted(files.items()):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    with open(os.path.join(out, MARKER), "w", encoding="utf-8") as fh:
        fh.write(f"generated by bench/gen_tree.py --lines {args.lines} --seed {args.seed}\n")

    stats = {lang: (len(group), sum(t.count("\n") for t in group.values())) for lang, group in lang_files.items()}
    total_files = len(files)
    total_lines = sum(t.count("\n") for t in files.values())
    print(f"wrote {total_files} files, {total_lines} lines to {out}")
    for lang, (n, lines) in stats.items():
        print(f"  {lang}: {n} files, {lines} lines ({100 * lines / total_lines:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
