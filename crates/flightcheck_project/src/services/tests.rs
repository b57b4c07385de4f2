use super::*;

fn brief(s: &[Service]) -> Vec<(String, u32, Option<String>, Option<String>)> {
    s.iter()
        .map(|x| {
            (
                x.name.clone(),
                x.line,
                x.restart.as_ref().map(|r| format!("{}:{}", r.0, r.1)),
                x.exempt.clone(),
            )
        })
        .collect()
}

#[test]
fn compose_services_policies_and_one_shots() {
    let text = r#"x-defaults: &defaults
  restart: unless-stopped

services:
  bot:
    build: .
    command: sh -c "alembic upgrade head && python -m bot"
    volumes:
      - ./data:/app/data
  worker:
    <<: *defaults
    build: .
  migrate:
    build: .
    command: alembic upgrade head
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
    deploy:
      restart_policy:
        condition: on-failure
  adminer:
    image: adminer
  setup:
    image: alpine
  tools:
    image: node:20
    profiles: [tools]
  app:
    build: .
    depends_on:
      setup:
        condition: service_completed_successfully
volumes:
  pgdata:
"#;
    let s = compose("docker-compose.yml", text).expect("parses");
    assert_eq!(
        brief(&s),
        vec![
            ("bot".into(), 5, None, None),
            (
                "worker".into(),
                10,
                Some("10:restart: unless-stopped".into()),
                None
            ),
            (
                "migrate".into(),
                13,
                None,
                Some("its command `alembic upgrade head` prepares and exits".into())
            ),
            (
                "db".into(),
                16,
                Some("21:deploy.restart_policy: on-failure".into()),
                Some("a swarm `deploy:` section: swarm restarts tasks by default".into())
            ),
            (
                "adminer".into(),
                23,
                None,
                Some("a development tool".into())
            ),
            (
                "setup".into(),
                25,
                None,
                Some("other services wait for it to complete: a one-shot job".into())
            ),
            (
                "tools".into(),
                27,
                None,
                Some("only started with a profile (tools)".into())
            ),
            ("app".into(), 30, None, None),
        ]
    );
    assert_eq!(s[0].volumes, vec!["./data:/app/data"]);
    assert!(s[0].build);
    assert_eq!(s[3].image.as_deref(), Some("postgres:16"));
}

#[test]
fn development_services() {
    let text = "services:\n  web:\n    build: .\n    command: npm run dev\n  api:\n    build: .\n    volumes:\n      - .:/app\n  bot:\n    build: .\n    command: node dist/bot.js\n    volumes:\n      - ./data:/app/data\n";
    let s = compose("docker-compose.yml", text).expect("parses");
    let exempt: Vec<bool> = s.iter().map(|x| x.exempt.is_some()).collect();
    assert_eq!(exempt, vec![true, true, false]);
}

#[test]
fn systemd_pm2_kubernetes_docker_run() {
    let unit =
        "[Unit]\nDescription=Bot\n\n[Service]\nExecStart=/usr/bin/python3 bot.py\nRestart=always\n";
    assert_eq!(
        brief(&systemd("deploy/bot.service", unit)),
        vec![(
            "bot.service".into(),
            4,
            Some("6:Restart=always".into()),
            None
        )]
    );
    let no_restart = "[Service]\nType=simple\nExecStart=/usr/bin/node index.js\n";
    assert_eq!(systemd("bot.service", no_restart)[0].restart, None);
    let oneshot = "[Service]\nType=oneshot\nExecStart=/opt/backup.sh\n";
    assert!(systemd("backup.service", oneshot)[0].exempt.is_some());

    let eco = "module.exports = {\n  apps: [\n    {\n      name: 'bot',\n      script: 'index.js',\n      autorestart: false,\n    },\n    {\n      name: \"cleanup\",\n      script: 'cleanup.js',\n      cron_restart: '0 3 * * *',\n      autorestart: false,\n    },\n    { name: 'api', script: 'api.js' },\n  ],\n};\n";
    assert_eq!(
        brief(&pm2("ecosystem.config.js", eco)),
        vec![
            ("bot".into(), 6, Some("6:autorestart: false".into()), None),
            (
                "cleanup".into(),
                12,
                Some("12:autorestart: false".into()),
                Some("`cron_restart`: a scheduled job".into())
            ),
        ]
    );

    let k8s = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bot\nspec:\n  containers:\n    - name: bot\n      image: ghcr.io/acme/bot:1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers: []\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n";
    let s = kubernetes("k8s/bot.yaml", k8s);
    assert_eq!(
        brief(&s),
        vec![
            ("bot".into(), 2, None, None),
            (
                "api".into(),
                11,
                None,
                Some("a Deployment recreates its Pods".into())
            ),
        ]
    );
    assert!(kubernetes("k8s/x.yaml", "{{ .Values }}: [").is_empty());

    let sh = "#!/bin/sh\n# docker run -d old\ndocker build -t bot .\ndocker run -d --name bot --env-file .env bot\ndocker run --rm bot pytest\ndocker run -dit --restart=unless-stopped --name api api:latest\ndocker run -d --rm redis\n";
    assert_eq!(
        brief(&docker_runs("deploy.sh", sh)),
        vec![
            ("bot".into(), 4, None, None),
            (
                "api".into(),
                6,
                Some("6:--restart=unless-stopped".into()),
                None
            ),
        ]
    );
}
