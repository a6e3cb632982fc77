//! E-mail through an SMTP server (lettre), and the background round that sends
//! overdue notices while `serve` runs.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport};
use vplant_app::App;
use vplant_app::notices::Mailer;

use crate::args::MailArgs;

pub struct SmtpMailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for `url` (see `MailArgs::smtp_url` for the forms it takes).
    pub fn new(url: &str, from: &str) -> Result<SmtpMailer> {
        let transport = SmtpTransport::from_url(url)
            .with_context(|| format!("--smtp-url '{url}' is not a mail server address"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .with_context(|| format!("--mail-from '{from}' is not an e-mail address"))?;
        Ok(SmtpMailer { transport, from })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("'{to}' is not an address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Starts the notice round, when a mail server is configured: now, then every
/// `notice_every`.
pub fn start(app: &App, args: &MailArgs, base_url: String) -> Result<()> {
    let Some(url) = &args.smtp_url else {
        return Ok(());
    };
    let mailer: Arc<dyn Mailer> = Arc::new(SmtpMailer::new(url, &args.mail_from)?);
    let app = app.clone();
    let every = args.notice_every.max(Duration::from_secs(1));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match app.send_overdue_notices(mailer.clone(), &base_url).await {
                Ok(round) if round.sent > 0 || !round.failed.is_empty() => {
                    tracing::info!(
                        sent = round.sent,
                        failed = round.failed.len(),
                        "overdue notices"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "overdue notices could not be prepared"),
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use super::*;

    /// A mail server that speaks just enough SMTP to take one message, and returns
    /// what it was given.
    fn one_message_server() -> (u16, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut out = stream.try_clone().unwrap();
            let mut lines = BufReader::new(stream);
            let mut said = String::new();
            out.write_all(b"220 sink ESMTP\r\n").unwrap();
            let mut in_data = false;
            loop {
                let mut line = String::new();
                if lines.read_line(&mut line).unwrap() == 0 {
                    break;
                }
                said.push_str(&line);
                let reply: &[u8] = if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        b"250 queued\r\n"
                    } else {
                        continue;
                    }
                } else {
                    match line.get(..4).unwrap_or("").to_uppercase().as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            out.write_all(b"221 bye\r\n").unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    }
                };
                out.write_all(reply).unwrap();
            }
            said
        });
        (port, handle)
    }

    #[test]
    fn a_notice_reaches_the_mail_server_with_sender_recipient_and_text() {
        let (port, server) = one_message_server();
        let mailer = SmtpMailer::new(
            &format!("smtp://127.0.0.1:{port}"),
            "Virtual Plant <vplant@plant.example>",
        )
        .unwrap();

        mailer
            .send(
                "owner@plant.example",
                "Virtual Plant: 1 overdue item(s)",
                "- Action AC-2026-0007 due 2026-11-20",
            )
            .unwrap();

        drop(mailer);
        let said = server.join().unwrap();
        assert!(said.contains("MAIL FROM:<vplant@plant.example>"), "{said}");
        assert!(said.contains("RCPT TO:<owner@plant.example>"), "{said}");
        assert!(
            said.contains("Subject: Virtual Plant: 1 overdue item(s)"),
            "{said}"
        );
        assert!(said.contains("AC-2026-0007"), "{said}");
    }

    #[test]
    fn a_bad_server_address_is_refused_naming_the_option() {
        let error = SmtpMailer::new("ftp://nowhere", "vplant@localhost")
            .err()
            .unwrap();
        assert!(error.to_string().contains("--smtp-url"), "{error}");
    }
}
