//! Client side: choosing a challenge and computing the answer.

use super::digest::DigestInput;
use super::{Algorithm, AuthError, Challenge, Credentials, Qop};

/// Computes the credentials answering `challenge` for a request with
/// `method` and Request-URI `uri`.
///
/// Uses the challenge's algorithm, realm, nonce and opaque, and qop `auth`
/// when offered. With no qop offered the RFC 2069 form is produced (no
/// `nc`, and `cnonce` only for `-sess` algorithms). `cnonce` must be a fresh
/// unpredictable value from the caller; `nc` counts the requests made with
/// this nonce, starting at 1.
///
/// # Errors
///
/// [`AuthError::UnsupportedQop`] if the challenge offers only `auth-int`.
pub fn answer(
    challenge: &Challenge,
    username: &str,
    password: &str,
    method: &str,
    uri: &str,
    cnonce: &str,
    nc: u32,
) -> Result<Credentials, AuthError> {
    let qop = if challenge.qop.is_empty() {
        None
    } else if challenge.qop.contains(&Qop::Auth) {
        Some(Qop::Auth)
    } else {
        return Err(AuthError::UnsupportedQop(Qop::AuthInt.to_string()));
    };
    let algorithm = challenge.algorithm;
    let cnonce = (qop.is_some() || algorithm.is_session()).then(|| cnonce.to_owned());
    let nc = qop.map(|_| nc);
    let ha1 = algorithm.ha1(username, &challenge.realm, password);
    let response = DigestInput {
        algorithm,
        ha1: &ha1,
        nonce: &challenge.nonce,
        cnonce: cnonce.as_deref(),
        nc,
        qop,
        method,
        uri,
    }
    .response()?;
    Ok(Credentials {
        username: username.to_owned(),
        realm: challenge.realm.clone(),
        nonce: challenge.nonce.clone(),
        uri: uri.to_owned(),
        response,
        algorithm,
        cnonce,
        qop,
        nc,
        opaque: challenge.opaque.clone(),
        other: Vec::new(),
    })
}

/// Picks the challenge to answer among several (for example one per
/// `WWW-Authenticate` header): the strongest algorithm wins, SHA-256 before
/// MD5 and plain before `-sess`, ties going to the first. Challenges that
/// [`answer`] cannot satisfy (only `auth-int` offered) are skipped.
pub fn choose_challenge<'a, I>(challenges: I) -> Option<&'a Challenge>
where
    I: IntoIterator<Item = &'a Challenge>,
{
    let rank = |c: &Challenge| match c.algorithm {
        Algorithm::Sha256 => 4,
        Algorithm::Sha256Sess => 3,
        Algorithm::Md5 => 2,
        Algorithm::Md5Sess => 1,
    };
    let mut best: Option<&Challenge> = None;
    for c in challenges {
        let answerable = c.qop.is_empty() || c.qop.contains(&Qop::Auth);
        if answerable && best.is_none_or(|b| rank(c) > rank(b)) {
            best = Some(c);
        }
    }
    best
}
