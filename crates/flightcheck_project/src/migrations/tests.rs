use super::*;
use crate::ci::test_only;
use crate::follow::{Ref, parse_makefile, refs_in};
use crate::workspace::DiscoverOptions;
use MigrationTool::*;

fn ws_of(files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
    }
    let ws = Workspace::discover(
        dir.path(),
        &DiscoverOptions {
            threads: 1,
            ..Default::default()
        },
    )
    .expect("discover");
    (dir, ws)
}

fn sets(ws: &Workspace) -> Vec<(MigrationTool, String, Vec<String>)> {
    ws.migration_sets
        .iter()
        .map(|s| {
            (
                s.tool,
                s.dir.clone(),
                s.files.iter().map(|i| ws.files[*i].rel.clone()).collect(),
            )
        })
        .collect()
}

fn cmds(ws: &Workspace) -> Vec<(MigrationTool, String, u32, String, bool)> {
    ws.migration_commands
        .iter()
        .map(|c| {
            (
                c.tool,
                c.file.clone(),
                c.line,
                c.source.clone(),
                c.runs_on_deploy,
            )
        })
        .collect()
}

#[test]
fn recognises_migration_commands() {
    let yes = [
        ("npx knex migrate:latest", Knex),
        ("yarn knex migrate:latest --env production", Knex),
        ("npx prisma migrate deploy", Prisma),
        ("pnpm prisma db push --accept-data-loss", Prisma),
        ("bunx prisma migrate deploy", Prisma),
        ("npm exec -- prisma migrate deploy", Prisma),
        ("npx sequelize db:migrate", Sequelize),
        ("npx sequelize-cli db:migrate --env production", Sequelize),
        ("npx typeorm migration:run -d dist/data-source.js", TypeOrm),
        (
            "typeorm-ts-node-commonjs migration:run -d src/data-source.ts",
            TypeOrm,
        ),
        ("node-pg-migrate up", NodePgMigrate),
        ("node-pg-migrate", NodePgMigrate),
        ("npx drizzle-kit migrate", Drizzle),
        ("drizzle-kit push", Drizzle),
        ("supabase db push", Supabase),
        ("npx supabase migration up", Supabase),
        ("alembic upgrade head", Alembic),
        ("poetry run alembic upgrade head", Alembic),
        ("python -m alembic -c alembic.ini upgrade head", Alembic),
        ("uv run alembic upgrade head", Alembic),
        ("python manage.py migrate --noinput", Django),
        ("python3 ./manage.py migrate", Django),
        ("django-admin migrate", Django),
        ("flask db upgrade", FlaskMigrate),
        ("aerich upgrade", Aerich),
        ("dbmate up", Sql),
        ("migrate -path ./migrations -database $DATABASE_URL up", Sql),
        ("sh -c \"npx knex migrate:latest && node index.js\"", Knex),
        (
            "npm ci && npx prisma migrate deploy && node dist/main.js",
            Prisma,
        ),
        ("NODE_ENV=production npx knex migrate:latest", Knex),
        (
            "./wait-for-it.sh db:5432 -- npx prisma migrate deploy",
            Prisma,
        ),
        ("until alembic upgrade head; do sleep 1; done", Alembic),
    ];
    for (cmd, tool) in yes {
        assert_eq!(migration_tool_in(cmd), Some(tool), "{cmd}");
    }
    let no = [
        "npx knex migrate:make create_users",
        "knex migrate:rollback",
        "alembic revision --autogenerate -m \"upgrade users\"",
        "python manage.py makemigrations",
        "echo \"alembic upgrade head\"",
        "echo alembic upgrade head",
        "# npx knex migrate:latest",
        "npx prisma generate",
        "npx prisma migrate dev",
        "node-pg-migrate create add_users",
        "drizzle-kit generate",
        "npm run migrate",
        "node index.js",
        "flask run",
        "python -c 'import alembic'",
    ];
    for cmd in no {
        assert_eq!(migration_tool_in(cmd), None, "{cmd}");
    }
    assert_eq!(MigrationTool::FlaskMigrate.as_str(), "flask-migrate");
    assert_eq!(MigrationTool::NodePgMigrate.as_str(), "node-pg-migrate");
}

#[test]
fn migration_directories_from_flags() {
    assert_eq!(
        migration_in("node-pg-migrate up -m db/migrations"),
        Some((NodePgMigrate, Some("db/migrations".into())))
    );
    assert_eq!(
        migration_in("flask db upgrade --directory=app/migrations"),
        Some((FlaskMigrate, Some("app/migrations".into())))
    );
    assert_eq!(
        migration_in("dbmate --migrations-dir ./sql up"),
        Some((Sql, Some("./sql".into())))
    );
    assert_eq!(
        migration_in("migrate -source file://db/migrations -database $DB up"),
        Some((Sql, Some("db/migrations".into())))
    );
    assert_eq!(
        migration_in("npx prisma migrate deploy --schema db/schema.prisma"),
        Some((Prisma, Some("db/migrations".into())))
    );
    assert_eq!(migration_in("npx knex migrate:latest"), Some((Knex, None)));
}

#[test]
fn prisma_migrations_and_models() {
    let (_d, ws) = ws_of(&[
        (
            "package.json",
            r#"{"name":"a","dependencies":{"@prisma/client":"5"},"devDependencies":{"prisma":"5"}}"#,
        ),
        ("index.js", "console.log(1)\n"),
        (
            "prisma/schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel User {\n  id Int @id\n  @@map(\"users\")\n}\n\nmodel Post {\n  id Int @id\n}\n",
        ),
        (
            "prisma/migrations/20240101000000_init/migration.sql",
            "-- init\nCREATE TABLE \"users\" (id serial);\n\nCREATE TABLE \"Post\" (id serial);\n",
        ),
        (
            "prisma/migrations/migration_lock.toml",
            "provider = \"postgresql\"\n",
        ),
    ]);
    assert_eq!(
        sets(&ws),
        vec![(
            Prisma,
            "prisma/migrations".to_string(),
            vec!["prisma/migrations/20240101000000_init/migration.sql".to_string()]
        )]
    );
    let tables: Vec<(String, String, u32, String)> = ws
        .schema_tables
        .iter()
        .map(|t| {
            (
                t.table.clone(),
                ws.files[t.file].rel.clone(),
                t.line,
                t.via.clone(),
            )
        })
        .collect();
    assert_eq!(
        tables,
        vec![
            (
                "users".to_string(),
                "prisma/migrations/20240101000000_init/migration.sql".to_string(),
                2,
                "CREATE TABLE".to_string()
            ),
            (
                "post".to_string(),
                "prisma/migrations/20240101000000_init/migration.sql".to_string(),
                4,
                "CREATE TABLE".to_string()
            ),
            (
                "users".to_string(),
                "prisma/schema.prisma".to_string(),
                5,
                "prisma model".to_string()
            ),
            (
                "post".to_string(),
                "prisma/schema.prisma".to_string(),
                10,
                "prisma model".to_string()
            ),
        ]
    );
    assert_eq!(ws.schema_tables[0].project, 0);
}

#[test]
fn supabase_alembic_django_sets() {
    let (_d, ws) = ws_of(&[
        (
            "supabase/migrations/20240101_init.sql",
            "create table profiles (id uuid);\n",
        ),
        ("supabase/seed.sql", "insert into profiles values (1);\n"),
        ("requirements.txt", "django\nalembic\n"),
        ("manage.py", "import django\n"),
        ("shop/__init__.py", ""),
        ("shop/migrations/__init__.py", ""),
        (
            "shop/migrations/0001_initial.py",
            "from django.db import migrations\n",
        ),
        (
            "shop/migrations/0002_order.py",
            "from django.db import migrations\n",
        ),
        ("alembic.ini", "[alembic]\nscript_location = alembic\n"),
        ("alembic/env.py", "from alembic import context\n"),
        (
            "alembic/versions/ab12_create_users.py",
            "def upgrade(): pass\n",
        ),
        ("alembic/versions/__init__.py", ""),
    ]);
    assert_eq!(
        sets(&ws),
        vec![
            (
                Alembic,
                "alembic/versions".to_string(),
                vec!["alembic/versions/ab12_create_users.py".to_string()]
            ),
            (
                Django,
                "shop/migrations".to_string(),
                vec![
                    "shop/migrations/0001_initial.py".to_string(),
                    "shop/migrations/0002_order.py".to_string()
                ]
            ),
            (
                Supabase,
                "supabase/migrations".to_string(),
                vec!["supabase/migrations/20240101_init.sql".to_string()]
            ),
        ]
    );
    let tables: Vec<&str> = ws.schema_tables.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(tables, vec!["profiles"]);
}

#[test]
fn flask_migrate_and_aerich_sets() {
    let (_d, ws) = ws_of(&[
        ("requirements.txt", "Flask\nFlask-Migrate==4.0\n"),
        ("app.py", "from flask import Flask\n"),
        ("migrations/alembic.ini", "[alembic]\n"),
        ("migrations/env.py", "from alembic import context\n"),
        ("migrations/versions/1a2b_users.py", "def upgrade(): pass\n"),
    ]);
    assert_eq!(
        sets(&ws),
        vec![(
            FlaskMigrate,
            "migrations/versions".to_string(),
            vec!["migrations/versions/1a2b_users.py".to_string()]
        )]
    );
    let (_d, ws) = ws_of(&[
        (
            "pyproject.toml",
            "[project]\nname='b'\ndependencies=['tortoise-orm', 'aerich']\n",
        ),
        ("bot.py", "import tortoise\n"),
        (
            "migrations/models/0_20240101_init.py",
            "async def upgrade(db): ...\n",
        ),
    ]);
    assert_eq!(
        sets(&ws),
        vec![(
            Aerich,
            "migrations/models".to_string(),
            vec!["migrations/models/0_20240101_init.py".to_string()]
        )]
    );
}

#[test]
fn node_tool_sets_and_plain_sql() {
    let (_d, ws) = ws_of(&[
        (
            "package.json",
            r#"{"name":"k","dependencies":{"knex":"3","pg":"8"}}"#,
        ),
        ("index.js", "require('knex')\n"),
        (
            "db/migrations/20240101_users.js",
            "exports.up = (knex) => knex.schema.createTable('users', () => {});\n",
        ),
        ("db/migrations/README.md", "how to migrate\n"),
        // Only .sql: knex cannot run these, so they are a plain SQL set.
        ("sql/migrations/001_init.sql", "CREATE TABLE a (id int);\n"),
        // Dependencies, fixtures and tests are not migrations.
        ("node_modules/x/migrations/1.js", "exports.up = 1\n"),
        (
            "test/fixtures/migrations/001.sql",
            "CREATE TABLE t (id int);\n",
        ),
        ("tests/schema.sql", "CREATE TABLE u (id int);\n"),
        // A migrations folder with nothing in it is no set.
        ("src/migrations/.gitkeep", ""),
    ]);
    assert_eq!(
        sets(&ws),
        vec![
            (
                Knex,
                "db/migrations".to_string(),
                vec!["db/migrations/20240101_users.js".to_string()]
            ),
            (
                Sql,
                "sql/migrations".to_string(),
                vec!["sql/migrations/001_init.sql".to_string()]
            ),
        ]
    );
    let tables: Vec<&str> = ws.schema_tables.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(tables, vec!["a"]);

    let (_d, ws) = ws_of(&[
        (
            "package.json",
            r#"{"name":"d","dependencies":{"drizzle-orm":"0.30"},"devDependencies":{"drizzle-kit":"0.20"}}"#,
        ),
        ("src/index.ts", "export {}\n"),
        (
            "drizzle/0000_init.sql",
            "CREATE TABLE IF NOT EXISTS \"users\" (id int);\n--> statement-breakpoint\nCREATE VIEW active AS SELECT 1;\n",
        ),
    ]);
    assert_eq!(
        sets(&ws),
        vec![(
            Drizzle,
            "drizzle".to_string(),
            vec!["drizzle/0000_init.sql".to_string()]
        )]
    );
    let tables: Vec<(&str, u32, &str)> = ws
        .schema_tables
        .iter()
        .map(|t| (t.table.as_str(), t.line, t.via.as_str()))
        .collect();
    assert_eq!(
        tables,
        vec![("users", 1, "CREATE TABLE"), ("active", 3, "CREATE VIEW")]
    );

    // Several node tools: the files' content decides.
    let (_d, ws) = ws_of(&[
        (
            "package.json",
            r#"{"name":"t","dependencies":{"knex":"3","typeorm":"0.3"}}"#,
        ),
        ("src/index.ts", "export {}\n"),
        (
            "src/migrations/1700000000000-Init.ts",
            "import { MigrationInterface, QueryRunner } from 'typeorm';\n",
        ),
    ]);
    assert_eq!(
        sets(&ws),
        vec![(
            TypeOrm,
            "src/migrations".to_string(),
            vec!["src/migrations/1700000000000-Init.ts".to_string()]
        )]
    );
}

#[test]
fn oversized_schema_file_is_skipped_with_a_note() {
    let big = "CREATE TABLE big (id int);\n".repeat(90_000);
    assert!(big.len() as u64 > MAX_SCHEMA_BYTES);
    let (_d, ws) = ws_of(&[("index.js", "1\n"), ("dump.sql", big.as_str())]);
    assert!(ws.schema_tables.is_empty());
    assert!(
        ws.notes
            .iter()
            .any(|n| n.file.as_deref() == Some("dump.sql") && n.message.contains("too large")),
        "{:?}",
        ws.notes
    );
}

#[test]
fn package_scripts_reachability() {
    let pkg = r#"{
  "name": "bot",
  "scripts": {
    "start": "npm run migrate && node .",
    "migrate": "knex migrate:latest",
    "db:latest": "knex migrate:latest --env production",
    "prestart": "prisma migrate deploy",
    "test": "jest"
  },
  "dependencies": {"knex": "3"}
}"#;
    let (_d, ws) = ws_of(&[("package.json", pkg), ("index.js", "1\n")]);
    assert_eq!(
        cmds(&ws),
        vec![
            (
                Knex,
                "package.json".to_string(),
                5,
                "package.json scripts.migrate (package.json scripts.start)".to_string(),
                true
            ),
            (
                Knex,
                "package.json".to_string(),
                6,
                "package.json scripts.db:latest".to_string(),
                false
            ),
            (
                Prisma,
                "package.json".to_string(),
                7,
                "package.json scripts.prestart".to_string(),
                true
            ),
        ]
    );
    assert_eq!(ws.migration_commands[0].command, "knex migrate:latest");
    assert_eq!(ws.migration_commands[0].project, 0);
}

#[test]
fn pre_hook_of_a_reached_script_counts() {
    let pkg = r#"{
  "name": "bot",
  "scripts": {
    "start": "node index.js",
    "serve": "node index.js",
    "premigrate": "echo migrating",
    "prestart:prod": "npx sequelize-cli db:migrate",
    "start:prod": "node index.js"
  }
}"#;
    let (_d, ws) = ws_of(&[
        ("package.json", pkg),
        ("index.js", "1\n"),
        ("Procfile", "web: npm run start:prod\n"),
    ]);
    assert_eq!(
        cmds(&ws),
        vec![(
            Sequelize,
            "package.json".to_string(),
            7,
            "package.json scripts.prestart:prod (Procfile web)".to_string(),
            true
        )]
    );
}

#[test]
fn procfile_release_and_makefile() {
    let (_d, ws) = ws_of(&[
        ("requirements.txt", "django\n"),
        ("manage.py", "import django\n"),
        (
            "Procfile",
            "release: make migrate\nweb: gunicorn site.wsgi\nworker: python manage.py migrate && celery -A site worker\n",
        ),
        (
            "Makefile",
            ".PHONY: migrate dev\nmigrate: check\n\t@python manage.py migrate --noinput\n\ncheck:\n\tpython manage.py check\n\ndev:\n\talembic upgrade head\n",
        ),
    ]);
    assert_eq!(
        cmds(&ws),
        vec![
            (
                Django,
                "Makefile".to_string(),
                3,
                "Makefile target `migrate` (Procfile release)".to_string(),
                true
            ),
            (
                Alembic,
                "Makefile".to_string(),
                9,
                "Makefile target `dev`".to_string(),
                false
            ),
            (
                Django,
                "Procfile".to_string(),
                3,
                "Procfile worker".to_string(),
                true
            ),
        ]
    );
}

#[test]
fn dockerfile_entrypoint_script_is_scanned() {
    let (_d, ws) = ws_of(&[
        (
            "package.json",
            r#"{"name":"api","main":"index.js","dependencies":{"prisma":"5"}}"#,
        ),
        ("index.js", "1\n"),
        (
            "Dockerfile",
            "FROM node:20\nWORKDIR /app\nCOPY . .\nENTRYPOINT [\"/app/docker-entrypoint.sh\"]\nCMD [\"node\", \"index.js\"]\n",
        ),
        (
            "docker-entrypoint.sh",
            "#!/bin/sh\nset -e\n# npx knex migrate:latest\necho \"running prisma migrate deploy\"\nnpx prisma migrate deploy \\\n  --schema prisma/schema.prisma\nexec \"$@\"\n",
        ),
        ("scripts/seed.sh", "#!/bin/bash\nalembic upgrade head\n"),
    ]);
    let found: Vec<_> = ws
        .migration_commands
        .iter()
        .map(|c| {
            (
                c.tool,
                c.file.as_str(),
                c.line,
                c.source.as_str(),
                c.runs_on_deploy,
                c.directory.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                Knex,
                "docker-entrypoint.sh",
                3,
                "docker-entrypoint.sh (Dockerfile ENTRYPOINT, commented out)",
                false,
                None
            ),
            (
                Prisma,
                "docker-entrypoint.sh",
                5,
                "docker-entrypoint.sh (Dockerfile ENTRYPOINT)",
                true,
                Some("prisma/migrations")
            ),
            (
                Alembic,
                "scripts/seed.sh",
                2,
                "scripts/seed.sh",
                false,
                None
            ),
        ]
    );
    assert_eq!(
        ws.migration_commands[1].command,
        "npx prisma migrate deploy    --schema prisma/schema.prisma"
    );
}

#[test]
fn shell_script_from_compose_and_by_name() {
    let (_d, ws) = ws_of(&[
        ("requirements.txt", "fastapi\nalembic\n"),
        ("app/main.py", "import fastapi\n"),
        (
            "docker-compose.yml",
            "services:\n  api:\n    build: .\n    command: sh ./start.sh\n",
        ),
        // Not at the command's path, found by name.
        (
            "deploy/start.sh",
            "alembic upgrade head\nuvicorn app.main:app\n",
        ),
    ]);
    assert_eq!(
        cmds(&ws),
        vec![(
            Alembic,
            "deploy/start.sh".to_string(),
            1,
            "deploy/start.sh (compose service api)".to_string(),
            true
        )]
    );
}

#[test]
fn fly_toml_release_command() {
    let (_d, ws) = ws_of(&[
        ("requirements.txt", "flask\nflask-migrate\n"),
        ("app.py", "import flask\n"),
        (
            "fly.toml",
            "app = \"bot\"\n\n[deploy]\n  release_command = \"flask db upgrade\"\n\n[processes]\n  app = \"gunicorn app:app\"\n",
        ),
    ]);
    assert_eq!(
        cmds(&ws),
        vec![(
            FlaskMigrate,
            "fly.toml".to_string(),
            4,
            "fly.toml [deploy] release_command".to_string(),
            true
        )]
    );
}

#[test]
fn platform_configs() {
    let (_d, ws) = ws_of(&[
        (
            "package.json",
            r#"{"name":"w","scripts":{"migrate":"knex migrate:latest"}}"#,
        ),
        ("index.js", "1\n"),
        (
            "render.yaml",
            "services:\n  - type: web\n    name: api\n    preDeployCommand: npm run migrate\n    startCommand: node index.js\n",
        ),
        (
            "railway.json",
            "{\n  \"deploy\": {\n    \"startCommand\": \"npx prisma migrate deploy && node index.js\"\n  }\n}\n",
        ),
        (
            "app.json",
            "{\"scripts\": {\"postdeploy\": \"npx sequelize-cli db:migrate\"}}\n",
        ),
        (
            "heroku.yml",
            "build:\n  docker:\n    web: Dockerfile\nrelease:\n  image: web\n  command:\n    - ./node_modules/.bin/node-pg-migrate up\n",
        ),
    ]);
    assert_eq!(
        cmds(&ws),
        vec![
            (
                Sequelize,
                "app.json".to_string(),
                1,
                "app.json scripts.postdeploy".to_string(),
                true
            ),
            (
                NodePgMigrate,
                "heroku.yml".to_string(),
                7,
                "heroku.yml release.command".to_string(),
                true
            ),
            (
                Knex,
                "package.json".to_string(),
                1,
                "package.json scripts.migrate (render.yaml services[api].preDeployCommand)"
                    .to_string(),
                true
            ),
            (
                Prisma,
                "railway.json".to_string(),
                3,
                "railway.json deploy.startCommand".to_string(),
                true
            ),
        ]
    );
}

#[test]
fn github_workflow_steps() {
    let wf = r#"name: Deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      # - name: Migrate (disabled)
      #   run: npx prisma migrate deploy
      - name: Announce
        run: echo "npx prisma migrate deploy runs next"
      - name: Maybe migrate
        run: npx knex migrate:latest || true
      - name: Migrate
        working-directory: ./api
        run: |
          npm ci
          # npx sequelize db:migrate
          npx prisma migrate deploy
"#;
    let test_wf = "name: Tests\non: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: alembic upgrade head\n";
    let (_d, ws) = ws_of(&[
        ("index.js", "1\n"),
        (".github/workflows/deploy.yml", wf),
        (".github/workflows/test.yml", test_wf),
    ]);
    assert_eq!(
        cmds(&ws),
        vec![
            (
                Prisma,
                ".github/workflows/deploy.yml".to_string(),
                11,
                ".github/workflows/deploy.yml (commented out)".to_string(),
                false
            ),
            (
                Knex,
                ".github/workflows/deploy.yml".to_string(),
                15,
                ".github/workflows/deploy.yml step `Maybe migrate` (failure ignored)".to_string(),
                false
            ),
            (
                Sequelize,
                ".github/workflows/deploy.yml".to_string(),
                20,
                ".github/workflows/deploy.yml (commented out)".to_string(),
                false
            ),
            (
                Prisma,
                ".github/workflows/deploy.yml".to_string(),
                21,
                ".github/workflows/deploy.yml step `Migrate`".to_string(),
                true
            ),
            (
                Alembic,
                ".github/workflows/test.yml".to_string(),
                7,
                ".github/workflows/test.yml step `alembic upgrade head` (test job)".to_string(),
                false
            ),
        ]
    );
    let real = &ws.migration_commands[3];
    assert_eq!(real.command, "npx prisma migrate deploy");
}

#[test]
fn gitlab_ci_jobs() {
    let ci = "stages: [test, deploy]\ntest:\n  stage: test\n  script:\n    - python manage.py migrate\n    - pytest\ndeploy:\n  stage: deploy\n  script:\n    - python manage.py migrate --noinput\n";
    let (_d, ws) = ws_of(&[("manage.py", "1\n"), (".gitlab-ci.yml", ci)]);
    assert_eq!(
        cmds(&ws),
        vec![
            (
                Django,
                ".gitlab-ci.yml".to_string(),
                5,
                ".gitlab-ci.yml job `test` (test job)".to_string(),
                false
            ),
            (
                Django,
                ".gitlab-ci.yml".to_string(),
                10,
                ".gitlab-ci.yml job `deploy`".to_string(),
                true
            ),
        ]
    );
}

#[test]
fn broken_configs_never_panic() {
    let (_d, ws) = ws_of(&[
        ("package.json", "{ \"name\": \"x\", \"scripts\": {"),
        ("index.js", "1\n"),
        (
            ".github/workflows/deploy.yml",
            "jobs:\n  deploy:\n    steps: [\n      - run: npx prisma migrate deploy\n",
        ),
        (".gitlab-ci.yml", "deploy: : :\n  - ["),
        ("render.yaml", "services:\n  - name: [\n"),
        ("fly.toml", "[deploy\nrelease_command = \"x\n"),
        ("railway.json", "{ \"deploy\": "),
        ("heroku.yml", "release: {"),
        ("Makefile", "migrate:\n\t\n\t@\n:\n\t-\n"),
        ("entry.sh", "\\"),
        ("prisma/schema.prisma", "model {\n@@map(\n"),
        ("broken.sql", "CREATE TABLE \"unterminated (\n/* no end"),
    ]);
    assert!(
        ws.migration_commands.is_empty(),
        "{:?}",
        ws.migration_commands
    );
    for f in [
        ".github/workflows/deploy.yml",
        ".gitlab-ci.yml",
        "render.yaml",
        "fly.toml",
        "railway.json",
        "heroku.yml",
    ] {
        assert!(
            ws.notes.iter().any(|n| n.file.as_deref() == Some(f)),
            "no note for {f}: {:?}",
            ws.notes
        );
    }
}

#[test]
fn makefile_parsing() {
    let t = parse_makefile(
        "VAR := x\n.PHONY: a\na: b c\n\t@echo a\n\t-npx knex migrate:latest\nb:\n\tls\nc: ; alembic upgrade head\n%.o: %.c\n\tcc\n",
    );
    let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b", "c"]);
    assert_eq!(t[0].prerequisites, vec!["b", "c"]);
    assert_eq!(
        t[0].recipe,
        vec![
            (4, "echo a".to_string()),
            (5, "npx knex migrate:latest".to_string())
        ]
    );
    assert_eq!(t[2].recipe, vec![(8, "alembic upgrade head".to_string())]);
}

#[test]
fn ci_job_classification_and_entrypoint_wrappers() {
    assert!(test_only(&["ci", "CI", "test", "Run tests"]));
    assert!(!test_only(&["ci", "CI", "deploy", ""]));
    assert!(!test_only(&["build-latest", "", "build", ""]));
    assert!(!test_only(&["Deploy", "e2e", "", ""]));
    assert_eq!(
        migration_tool_in("docker-entrypoint.sh alembic upgrade head"),
        Some(Alembic)
    );
    let mut refs = Vec::new();
    refs_in("./docker-entrypoint.sh npm run start:prod", &mut refs, 0);
    assert_eq!(
        refs,
        vec![
            Ref::File("./docker-entrypoint.sh".into()),
            Ref::Script {
                dir: ".".into(),
                name: "start:prod".into(),
                args: vec![],
            }
        ]
    );
}

#[test]
fn cd_moves_later_references() {
    let mut refs = Vec::new();
    refs_in(
        "cd api && npm run migrate && ./scripts/seed.sh",
        &mut refs,
        0,
    );
    assert_eq!(
        refs,
        vec![
            Ref::Script {
                dir: "api".into(),
                name: "migrate".into(),
                args: vec![],
            },
            Ref::File("api/scripts/seed.sh".into())
        ]
    );
    let (_d, ws) = ws_of(&[
        ("index.js", "1\n"),
        (
            "api/package.json",
            "{\"name\":\"api\",\"scripts\":{\"migrate\":\"knex migrate:latest\"}}",
        ),
        ("api/server.js", "1\n"),
        (
            ".github/workflows/deploy.yml",
            "jobs:\n  deploy:\n    steps:\n      - run: |\n          cd api\n          npm run migrate\n",
        ),
    ]);
    let deployed: Vec<_> = ws
        .migration_commands
        .iter()
        .filter(|m| m.runs_on_deploy)
        .map(|m| (m.file.as_str(), m.source.as_str()))
        .collect();
    assert_eq!(
        deployed,
        vec![(
            "api/package.json",
            "package.json scripts.migrate (.github/workflows/deploy.yml step `cd api`)"
        )]
    );
}

#[test]
fn arguments_after_double_dash_reach_the_script() {
    let mut refs = Vec::new();
    refs_in(
        "npm run typeorm -- migration:run -d ./dist/ds.js",
        &mut refs,
        0,
    );
    assert_eq!(
        refs,
        vec![Ref::Script {
            dir: ".".into(),
            name: "typeorm".into(),
            args: vec!["migration:run".into(), "-d".into(), "./dist/ds.js".into()],
        }]
    );
    let (_d, ws) = ws_of(&[
        (
            "package.json",
            "{\"name\":\"a\",\"scripts\":{\"start\":\"npm run orm -- migration:run && node main.js\",\"orm\":\"typeorm\"},\"dependencies\":{\"typeorm\":\"1\"}}",
        ),
        ("main.js", "1\n"),
        ("Procfile", "web: npm start\n"),
    ]);
    let cmds = migration_commands(&ws, &mut Vec::new());
    assert!(
        cmds.iter()
            .any(|c| c.tool == TypeOrm && c.runs_on_deploy && c.command == "typeorm migration:run"),
        "{cmds:?}"
    );
}

#[test]
fn cli_run_by_its_path_in_node_modules() {
    assert_eq!(
        migration_tool_in("node node_modules/prisma/build/index.js migrate deploy"),
        Some(Prisma)
    );
    assert_eq!(
        migration_tool_in("node node_modules/prisma/build/index.js generate"),
        None
    );
    assert_eq!(
        migration_tool_in(
            "ts-node -r tsconfig-paths/register ./node_modules/typeorm/cli.js migration:run"
        ),
        Some(TypeOrm)
    );
}
