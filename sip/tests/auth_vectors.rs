//! Published Digest test vectors, through the public API.
#![allow(clippy::unwrap_used)]

use sip::auth::{Algorithm, Challenge, Credentials, Qop, answer, choose_challenge};

#[test]
fn rfc2617_section_3_5() {
    let challenge: Challenge = "Digest\r\n realm=\"testrealm@host.com\",\r\n qop=\"auth,auth-int\",\r\n nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
        .parse()
        .unwrap();
    assert_eq!(challenge.qop, vec![Qop::Auth, Qop::AuthInt]);
    let creds = answer(
        &challenge,
        "Mufasa",
        "Circle Of Life",
        "GET",
        "/dir/index.html",
        "0a4f113b",
        1,
    )
    .unwrap();
    assert_eq!(creds.response, "6629fae49393a05397450978507c4ef1");

    let rfc: Credentials = "Digest username=\"Mufasa\",\r\n  realm=\"testrealm@host.com\",\r\n  nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n  uri=\"/dir/index.html\",\r\n  qop=auth,\r\n  nc=00000001,\r\n  cnonce=\"0a4f113b\",\r\n  response=\"6629fae49393a05397450978507c4ef1\",\r\n  opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
        .parse()
        .unwrap();
    assert_eq!(creds, rfc);
    let printed = rfc.to_string();
    assert_eq!(
        printed,
        "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
    );
    assert_eq!(printed.parse::<Credentials>().unwrap(), rfc);
}

const RFC7616_SHA256: &str = "Digest\r\n realm=\"http-auth@example.org\",\r\n qop=\"auth, auth-int\",\r\n algorithm=SHA-256,\r\n nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
const RFC7616_MD5: &str = "Digest\r\n realm=\"http-auth@example.org\",\r\n qop=\"auth, auth-int\",\r\n algorithm=MD5,\r\n nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

fn rfc7616_answer(challenge: &Challenge) -> Credentials {
    answer(
        challenge,
        "Mufasa",
        "Circle of Life",
        "GET",
        "/dir/index.html",
        "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        1,
    )
    .unwrap()
}

#[test]
fn rfc7616_section_3_9_1_md5() {
    let creds = rfc7616_answer(&RFC7616_MD5.parse().unwrap());
    assert_eq!(creds.response, "8ca523f5e9506fed4657c9700eebdbec");
    assert_eq!(creds.algorithm, Algorithm::Md5);
    assert_eq!(
        creds.opaque.as_deref(),
        Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
    );
}

#[test]
fn rfc7616_section_3_9_1_sha256() {
    let creds = rfc7616_answer(&RFC7616_SHA256.parse().unwrap());
    assert_eq!(
        creds.response,
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
    let rfc: Credentials = "Digest username=\"Mufasa\",\r\n realm=\"http-auth@example.org\",\r\n uri=\"/dir/index.html\",\r\n algorithm=SHA-256,\r\n nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n nc=00000001,\r\n cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\",\r\n qop=auth,\r\n response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\",\r\n opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
        .parse()
        .unwrap();
    assert_eq!(creds, rfc);
}

#[test]
fn client_prefers_sha256() {
    let md5: Challenge = RFC7616_MD5.parse().unwrap();
    let sha: Challenge = RFC7616_SHA256.parse().unwrap();
    let mut sha_sess = sha.clone();
    sha_sess.algorithm = Algorithm::Sha256Sess;
    let mut md5_sess = md5.clone();
    md5_sess.algorithm = Algorithm::Md5Sess;
    let mut sha_auth_int_only = sha.clone();
    sha_auth_int_only.qop = vec![Qop::AuthInt];

    let all = [md5.clone(), sha.clone()];
    assert_eq!(choose_challenge(&all), Some(&sha));
    let all = [md5_sess.clone(), md5.clone(), sha_sess.clone()];
    assert_eq!(choose_challenge(&all), Some(&sha_sess));
    let all = [md5_sess.clone(), md5.clone()];
    assert_eq!(choose_challenge(&all), Some(&md5));
    let all = [sha_auth_int_only.clone(), md5.clone()];
    assert_eq!(choose_challenge(&all), Some(&md5));
    assert_eq!(choose_challenge(&[sha_auth_int_only.clone()]), None);
    assert_eq!(choose_challenge(&[]), None);
}

#[test]
fn answer_declines_auth_int_only() {
    let mut c: Challenge = RFC7616_MD5.parse().unwrap();
    c.qop = vec![Qop::AuthInt];
    assert!(answer(&c, "u", "p", "INVITE", "sip:x", "c", 1).is_err());
}

#[test]
fn answer_without_qop_is_rfc2069_form() {
    let mut c: Challenge = RFC7616_MD5.parse().unwrap();
    c.qop.clear();
    let creds = answer(&c, "Mufasa", "Circle of Life", "GET", "/", "cn", 1).unwrap();
    assert_eq!(
        (creds.qop, creds.nc, creds.cnonce.as_deref()),
        (None, None, None)
    );
    c.algorithm = Algorithm::Md5Sess;
    let creds = answer(&c, "Mufasa", "Circle of Life", "GET", "/", "cn", 1).unwrap();
    assert_eq!(
        (creds.qop, creds.nc, creds.cnonce.as_deref()),
        (None, None, Some("cn"))
    );
}
