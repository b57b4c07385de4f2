//! `data/index-never-created`: mongoose unique indexes that nothing builds.

use crate::bots::{evidence_at, split};
use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{Category, Evidence, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "data/index-never-created",
    severity: Severity::Medium,
    category: Category::Data,
    fix_kind: FixKind::Code,
    summary: "Mongoose index building is switched off and nothing creates the unique indexes the schemas declare",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 20,
    docs: r#"## What it does
For a project whose running code switches mongoose's automatic index building off —
`autoIndex: false` in `mongoose.connect`/`createConnection` or schema options, an
`autoIndex` that is false in production (`autoIndex: process.env.NODE_ENV !== 'production'`),
`mongoose.set('autoIndex', false)` — and whose schemas declare unique indexes
(`unique: true`, `schema.index({ … }, { unique: true })`), looks for code that builds
indexes: `Model.syncIndexes()`, `createIndexes()`, `ensureIndexes()`, `Model.init()`,
`collection.createIndex()`. Reports when there is none.

Not flagged: projects that leave `autoIndex` on (mongoose builds indexes at startup), that
build indexes in code, and code nothing runs. Indexes created by hand in the database
console are not visible to the scan: if that is your process, suppress this with a note.

## Why it breaks production
`unique: true` is not a validator: it only asks mongoose to create a unique index. With
index building off, nothing creates it on a new database, and two concurrent sign-ups,
orders or payments with the same key are both saved. Duplicates then break lookups that
expect one document (`findOne` picks either) and are hard to clean up afterwards.

## Flagged
```js
mongoose.connect(process.env.MONGO_URL, { autoIndex: false });
const User = model('User', new Schema({ email: { type: String, unique: true } }));
```

## Not flagged
```js
mongoose.connect(process.env.MONGO_URL, { autoIndex: false });
await User.syncIndexes();   // at startup or in a migration
```

## Fix
Build indexes explicitly on deploy (`await Model.syncIndexes()` in a migration or startup
step), or leave `autoIndex` on.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.all_wiring()
        .any(|(_, w)| !w.mongo_indexes.auto_index_off.is_empty())
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let off = split(ctx, |w| &w.mongo_indexes.auto_index_off, |c| &c.owner);
    let unique = split(ctx, |w| &w.mongo_indexes.unique, |c| &c.owner);
    let builds = split(ctx, |w| &w.mongo_indexes.builds, |c| &c.owner);
    // A schema is a declaration: it counts when its file is reachable, whoever uses it.
    let unique: Vec<_> = unique
        .live
        .iter()
        .chain(unique.dead.iter())
        .filter(|(f, _)| ctx.is_reachable(*f))
        .collect();
    let (Some((off_file, off_site)), Some((unique_file, unique_site))) =
        (off.live.first(), unique.first())
    else {
        return Vec::new();
    };
    // Index building in any code of the project counts: a migration script builds them.
    if !builds.live.is_empty() || !builds.dead.is_empty() {
        return Vec::new();
    }
    let n = unique.len();
    vec![
        Finding::new(
            &META,
            format!(
                "Automatic index building is off (`{}`) and nothing builds the {n} unique index{} the schemas declare: duplicates are saved",
                off_site.via,
                if n == 1 { "" } else { "es" }
            ),
        )
        .at(ctx.rel(*off_file), off_site.span)
        .key("index-never-created")
        .evidence(evidence_at(ctx, *off_file, off_site.span, "index building switched off".into()))
        .evidence(evidence_at(ctx, *unique_file, unique_site.span, "a unique index nothing creates".into()))
        .evidence(Evidence::searched(
            "searched the project for syncIndexes, createIndexes, ensureIndexes, Model.init() and createIndex calls: none",
        ))
        .impact("On a new database the unique indexes never exist: concurrent requests save duplicate users, orders or payments.")
        .fix("Call `await Model.syncIndexes()` for each model in a deploy or startup step, or leave `autoIndex` on.")
        .verify("Start against an empty database and run `db.<collection>.getIndexes()`: the unique indexes are there."),
    ]
}
