//! The JWT strategy: a stateless token carrying the session and the public user fields, signed
//! with HS256 (the shared secret) or EdDSA (an Ed25519 key whose public half is published at
//! `/api/auth/jwks`). Keys and the validation rules are built once at start-up. Verification pins
//! the algorithm to the key (never the token's `alg`), picks EdDSA keys by `kid`, requires `exp`,
//! `nbf`, `iss`, `aud`, `sub`, `sid` and `jti`, and takes `now` from the caller's clock. Every
//! session also has a registry row (one insert at sign-in, an update at each sliding refresh) so it
//! can be listed and revoked; a revocation deletes the row and deny-lists the `sid`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::{Connection as _, QueryResult};
use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::config::{Config, JwtSigningKey};
use crate::db::models::{RevokedSessionRow, SessionRow, UserRow};
use crate::db::{Db, DbConnection, revocations, sessions, users};
use crate::dto::{self, format_date};
use crate::error::ApiError;
use crate::ids::random_id;

use super::deny_list::DenyList;
use super::{ActiveSession, NewSession, Renewal, Revocation, WithRevocation};

/// Tokens larger than this are refused before any decoding.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew tolerated on `exp`, `nbf` and `iat`.
const LEEWAY_SECS: i64 = 30;

/// The payload: registered claims, then the public user fields as Better Auth's JWT plugin
/// writes them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    pub sub: String,
    pub sid: String,
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// When the user signed in (NumericDate): kept by every refresh, so a refreshed token is no
    /// fresher than its sign-in. Tokens issued before it existed lack it; `iat` stands in.
    #[serde(rename = "auth_time", default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    pub iss: String,
    pub aud: String,
    pub email: String,
    pub name: String,
    pub email_verified: bool,
    pub image: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_username: Option<String>,
    /// With `GATEHOUSE_ADMIN=on`: `role`, `banned`, `banReason`, `banExpires`, as on the user
    /// (plain fields, not a flattened struct: flattening makes serde buffer every claim, on the
    /// path of every jwt get-session). A token without `role` has none of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban_expires: Option<String>,
    /// The admin's user id, in a session an admin started as this user (impersonation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonated_by: Option<String>,
}

impl Claims {
    /// When the session's user signed in.
    fn signed_in_at(&self) -> i64 {
        self.auth_time.unwrap_or(self.iat)
    }

    fn user(&self) -> Option<dto::User> {
        Some(dto::User {
            id: self.sub.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
            image: self.image.clone(),
            created_at: dto::parse_date(&self.created_at)?,
            updated_at: dto::parse_date(&self.updated_at)?,
            username: self.username.clone(),
            display_username: self.display_username.clone(),
            banned: self.role.as_ref().map(|_| self.banned.unwrap_or(false)),
            ban_reason: self.role.as_ref().map(|_| self.ban_reason.clone()),
            ban_expires: self.role.as_ref().map(|_| self.ban_expires.clone()),
            role: self.role.clone(),
        })
    }
}

fn timestamp(secs: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(secs, 0).single()
}

/// A revocation row that outlives every token the session can still have: a refresh issues
/// tokens valid for the TTL from now at the latest.
fn revocation_row(sid: String, ttl: Duration, now: DateTime<Utc>) -> RevokedSessionRow {
    RevokedSessionRow {
        sid,
        expires_at: (now + ttl + Duration::seconds(LEEWAY_SECS)).naive_utc(),
        revoked_at: now.timestamp_millis(),
    }
}

/// Extends a session's registry row (or adds it, for a token issued before the registry), unless
/// the session was revoked: a refresh must not revive a row another instance has just deleted
/// while this one's deny-list has not caught up. `false` when revoked.
fn extend_registry(conn: &mut DbConnection, registry: &SessionRow) -> QueryResult<bool> {
    if revocations::is_revoked(conn, &registry.id)? {
        return Ok(false);
    }
    sessions::upsert_registry(conn, registry)?;
    Ok(true)
}

/// A public Ed25519 key as this service publishes and looks it up.
struct PublicKey {
    /// RFC 7638 thumbprint, the `kid` of tokens it verifies.
    kid: String,
    /// The key, base64url: the JWK's `x`.
    x: String,
    decoding: DecodingKey,
}

impl PublicKey {
    fn new(key: &VerifyingKey) -> Self {
        let x = URL_SAFE_NO_PAD.encode(key.as_bytes());
        // Members in lexicographic order, no whitespace (RFC 7638 section 3).
        let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Self {
            kid,
            decoding: DecodingKey::from_ed_der(key.as_bytes()),
            x,
        }
    }

    fn jwk(&self) -> Value {
        json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": self.kid, "x": self.x})
    }
}

/// Signing and verification keys; the algorithm is fixed by the configuration.
enum Keys {
    /// The current secret signs; it and the old ones verify.
    Hs256 {
        signing: EncodingKey,
        verifying: Vec<DecodingKey>,
    },
    /// The current Ed25519 key signs; it and the old ones verify, chosen by `kid`.
    EdDsa {
        signing: EncodingKey,
        kid: String,
        verifying: Vec<PublicKey>,
    },
}

pub struct JwtSessions {
    ttl: Duration,
    update_age: Duration,
    issuer: String,
    audience: String,
    header: Header,
    keys: Keys,
    validation: Validation,
    deny_list: DenyList,
    /// Tokens and answers carry the admin fields (`GATEHOUSE_ADMIN=on`).
    pub admin: bool,
}

impl std::fmt::Debug for JwtSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSessions")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl JwtSessions {
    pub fn new(config: &Config) -> Result<Self, String> {
        let (keys, header) = match &config.jwt_private_key {
            None => {
                let verifying = std::iter::once(&config.secret)
                    .chain(&config.old_secrets)
                    .map(|secret| DecodingKey::from_secret(secret.expose().as_bytes()))
                    .collect();
                let signing = EncodingKey::from_secret(config.secret.expose().as_bytes());
                (
                    Keys::Hs256 { signing, verifying },
                    Header::new(Algorithm::HS256),
                )
            }
            Some(JwtSigningKey(private)) => {
                let der = private
                    .to_pkcs8_der()
                    .map_err(|e| format!("cannot encode the key: {e}"))?;
                let current = PublicKey::new(&private.verifying_key());
                let mut header = Header::new(Algorithm::EdDSA);
                header.kid = Some(current.kid.clone());
                let mut verifying = vec![current];
                verifying.extend(config.jwt_keys_old.iter().map(PublicKey::new));
                let kid = verifying[0].kid.clone();
                let signing = EncodingKey::from_ed_der(der.as_bytes());
                (
                    Keys::EdDsa {
                        signing,
                        kid,
                        verifying,
                    },
                    header,
                )
            }
        };
        let mut validation = Validation::new(header.alg);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.leeway = 30;
        // Expiry and not-before are checked in `verify` against the service's clock (the same
        // wall clock in production, a movable one in tests), with the same leeway.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Ok(Self {
            ttl: config.session_ttl,
            update_age: config.session_update_age,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            header,
            keys,
            validation,
            deny_list: DenyList::default(),
            admin: config.admin,
        })
    }

    /// The JWKS document: the published Ed25519 keys, or `None` under HS256, whose secret is
    /// never published.
    pub fn jwks(&self) -> Option<Value> {
        match &self.keys {
            Keys::Hs256 { .. } => None,
            Keys::EdDsa { verifying, .. } => {
                Some(json!({"keys": verifying.iter().map(PublicKey::jwk).collect::<Vec<_>>()}))
            }
        }
    }

    pub(super) fn deny_list(&self) -> &DenyList {
        &self.deny_list
    }

    /// The `kid` new tokens carry (EdDSA only).
    pub fn current_kid(&self) -> Option<&str> {
        match &self.keys {
            Keys::Hs256 { .. } => None,
            Keys::EdDsa { kid, .. } => Some(kid),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn issue(
        &self,
        user: &UserRow,
        sid: String,
        auth_time: i64,
        now: DateTime<Utc>,
        lifetime: Duration,
        impersonated_by: Option<String>,
    ) -> Result<String, ApiError> {
        let iat = now.timestamp();
        let claims = Claims {
            sub: user.id.clone(),
            sid,
            jti: random_id(),
            iat,
            nbf: iat,
            exp: iat + lifetime.num_seconds(),
            auth_time: Some(auth_time),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            email_verified: user.email_verified,
            image: user.image.clone(),
            created_at: format_date(&user.created_at.and_utc()),
            updated_at: format_date(&user.updated_at.and_utc()),
            username: user.username.clone(),
            display_username: user.display_username.clone(),
            role: self.admin.then(|| user.role.clone()),
            banned: self.admin.then_some(user.banned),
            ban_reason: user.ban_reason.clone().filter(|_| self.admin),
            ban_expires: user
                .ban_expires
                .filter(|_| self.admin)
                .map(|at| format_date(&at.and_utc())),
            impersonated_by,
        };
        let signing = match &self.keys {
            Keys::Hs256 { signing, .. } | Keys::EdDsa { signing, .. } => signing,
        };
        jsonwebtoken::encode(&self.header, &claims, signing)
            .map_err(|e| ApiError::Internal(format!("cannot sign a JWT: {e}")))
    }

    /// The claims of a token this service signed that is valid at `now`; `None` for anything
    /// else. Revocation is checked by the caller.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        if token.len() > MAX_TOKEN_BYTES {
            return None;
        }
        let decode =
            |key: &DecodingKey| jsonwebtoken::decode::<Claims>(token, key, &self.validation);
        let claims = match &self.keys {
            Keys::Hs256 { verifying, .. } => {
                verifying.iter().find_map(|key| match decode(key) {
                    Ok(data) => Some(Some(data.claims)),
                    // Another secret may have signed it: try the next one.
                    Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => None,
                    Err(_) => Some(None),
                })??
            }
            Keys::EdDsa { verifying, .. } => {
                // Only the `kid` is read from the header; `jku`, `jwk`, `x5u` and `x5c` never are.
                let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
                let key = verifying.iter().find(|key| key.kid == kid)?;
                decode(&key.decoding).ok()?.claims
            }
        };
        let now = now.timestamp();
        let is_current = claims.exp > now - LEEWAY_SECS
            && claims.nbf <= now + LEEWAY_SECS
            && claims.iat <= now + LEEWAY_SECS
            && !claims.sid.is_empty()
            && !claims.jti.is_empty();
        is_current.then_some(claims)
    }

    /// Writes the session's registry row (one insert), then signs its first token.
    pub async fn create(
        &self,
        db: &Db,
        user: &UserRow,
        new: NewSession,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        let lifetime = new.lifetime(self.ttl);
        // The row keeps the instant (lists are ordered by it); `auth_time` its whole second.
        let row = SessionRow {
            id: random_id(),
            token_hash: None,
            user_id: user.id.clone(),
            expires_at: (now + lifetime).naive_utc(),
            ip_address: new.ip_address,
            user_agent: new.user_agent,
            created_at: now.naive_utc(),
            updated_at: now.naive_utc(),
            impersonated_by: new.impersonated_by,
        };
        let along = new.along;
        let sid = row.id.clone();
        let impersonated_by = row.impersonated_by.clone();
        let at = now.naive_utc();
        super::admitted(
            db.run(move |conn| sessions::insert_unless_banned(conn, &row, &along, at))
                .await?,
        )?;
        self.issue(user, sid, now.timestamp(), now, lifetime, impersonated_by)
    }

    /// Answers from the claims and the in-memory deny-list, without a database query, except for
    /// one user read when the token is old enough to be re-issued.
    pub async fn resolve(
        &self,
        db: &Db,
        token: &str,
        now: DateTime<Utc>,
        may_refresh: bool,
    ) -> Result<Option<ActiveSession>, ApiError> {
        let Some(claims) = self.verify(token, now) else {
            return Ok(None);
        };
        if self.deny_list.is_revoked(&claims.sid)? {
            return Ok(None);
        }
        let (Some(user), Some(issued_at), Some(signed_in_at), Some(expires_at)) = (
            claims.user(),
            timestamp(claims.iat),
            timestamp(claims.signed_in_at()),
            timestamp(claims.exp),
        ) else {
            return Ok(None);
        };
        let mut active = ActiveSession {
            session: dto::Session {
                id: claims.sid.clone(),
                token: token.to_owned(),
                user_id: claims.sub.clone(),
                expires_at,
                ip_address: String::new(),
                user_agent: String::new(),
                created_at: signed_in_at,
                updated_at: issued_at,
                impersonated_by: self.admin.then(|| claims.impersonated_by.clone()),
            },
            user,
            renewal: Renewal::None,
            jwt: Some(token.to_owned()),
            impersonated_by: claims.impersonated_by.clone(),
        };
        // An impersonation is never extended past its hour.
        if may_refresh && claims.impersonated_by.is_none() && now - issued_at >= self.update_age {
            // Re-read the user so profile changes reach the claims, and extend the registry row
            // (or add it, for a token issued before the registry). A deleted user, or a session
            // another instance revoked a moment ago, has no session.
            let registry = SessionRow {
                id: claims.sid.clone(),
                token_hash: None,
                user_id: claims.sub.clone(),
                expires_at: (now + self.ttl).naive_utc(),
                ip_address: String::new(),
                user_agent: String::new(),
                created_at: signed_in_at.naive_utc(),
                updated_at: now.naive_utc(),
                impersonated_by: None,
            };
            let Some(row) = db
                .run(move |conn| {
                    conn.transaction(|conn| {
                        let Some(user) = users::find_by_id(conn, &registry.user_id)? else {
                            return Ok(None);
                        };
                        Ok(extend_registry(conn, &registry)?.then_some(user))
                    })
                })
                .await?
            else {
                return Ok(None);
            };
            let token = self.issue(
                &row,
                claims.sid.clone(),
                claims.signed_in_at(),
                now,
                self.ttl,
                None,
            )?;
            active.session.expires_at = now + self.ttl;
            active.session.updated_at = now;
            active.user = dto::User::of(row, self.admin);
            active.jwt = Some(token.clone());
            active.renewal = Renewal::Reissue(token);
        }
        Ok(Some(active))
    }

    /// A new token for the session `active` names, with the same `sid` and `auth_time`, whose
    /// claims hold `user` as it is now; the registry row's expiry follows the new token. An
    /// impersonation keeps its mark and its end.
    pub async fn reissue(
        &self,
        db: &Db,
        active: &ActiveSession,
        user: &UserRow,
        remember: bool,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        let lifetime = match &active.impersonated_by {
            Some(_) => active.session.expires_at - now,
            None => super::lifetime(remember, self.ttl),
        };
        let registry = SessionRow {
            id: active.session.id.clone(),
            token_hash: None,
            user_id: user.id.clone(),
            expires_at: (now + lifetime).naive_utc(),
            ip_address: String::new(),
            user_agent: String::new(),
            created_at: active.session.created_at.naive_utc(),
            updated_at: now.naive_utc(),
            impersonated_by: active.impersonated_by.clone(),
        };
        if !db
            .run(move |conn| conn.transaction(|conn| extend_registry(conn, &registry)))
            .await?
        {
            return Err(ApiError::Unauthorized);
        }
        self.issue(
            user,
            active.session.id.clone(),
            active.session.created_at.timestamp(),
            now,
            lifetime,
            active.impersonated_by.clone(),
        )
    }

    /// Ends the session of a token (sign-out): its registry row goes and its `sid` is
    /// deny-listed until the latest moment any of its tokens could still be valid.
    pub async fn revoke(&self, db: &Db, token: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
        let Some(claims) = self.verify(token, now) else {
            return Ok(());
        };
        let row = revocation_row(claims.sid, self.ttl, now);
        let stored = row.clone();
        db.run(move |conn| {
            conn.transaction(|conn| {
                sessions::delete_by_id(conn, &stored.sid)?;
                revocations::insert(conn, std::slice::from_ref(&stored))
            })
        })
        .await?;
        self.deny_list.insert(&row);
        Ok(())
    }

    /// Ends sessions of `user_id` (the revoke endpoints): in one transaction their registry rows
    /// go and their `sid`s are deny-listed; this instance knows at once, others within a second.
    /// Returns the ids of the sessions ended.
    pub async fn revoke_for_user(
        &self,
        db: &Db,
        user_id: &str,
        revocation: Revocation,
        now: DateTime<Utc>,
        work: WithRevocation,
    ) -> Result<Vec<String>, ApiError> {
        // Sessions named beyond their rows: the caller's own (whose token may predate the
        // registry), or a token of theirs given to revoke-session.
        let (which, named_sid) = match revocation {
            Revocation::All { current } => (
                Revocation::All {
                    current: current.clone(),
                },
                current,
            ),
            Revocation::One(value) => match self.verify(&value, now) {
                Some(claims) if claims.sub == user_id => {
                    (Revocation::One(claims.sid.clone()), Some(claims.sid))
                }
                Some(_) => return Ok(Vec::new()),
                None => (Revocation::One(value), None),
            },
            others @ (Revocation::AllBut(_) | Revocation::ImpersonatedBy(_)) => (others, None),
        };
        let (user_id, ttl) = (user_id.to_owned(), self.ttl);
        let rows = db
            .run(move |conn| {
                conn.transaction(|conn| {
                    let mut ids = sessions::delete_for_user(conn, &user_id, which.selection())?;
                    if let Some(sid) = named_sid
                        && !ids.contains(&sid)
                    {
                        ids.push(sid);
                    }
                    let rows: Vec<RevokedSessionRow> = ids
                        .into_iter()
                        .map(|sid| revocation_row(sid, ttl, now))
                        .collect();
                    revocations::insert(conn, &rows)?;
                    work(conn)?;
                    Ok(rows)
                })
            })
            .await?;
        for row in &rows {
            self.deny_list.insert(row);
        }
        Ok(rows.into_iter().map(|row| row.sid).collect())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;
    use crate::clock::Clock;

    fn sessions() -> JwtSessions {
        let vars: HashMap<&str, &str> = HashMap::from([
            ("GATEHOUSE_SECRET", "jwt-unit-test-secret-0123456789abcdef"),
            ("DATABASE_URL", "sqlite://:memory:"),
        ]);
        JwtSessions::new(
            &Config::from_lookup(|name| vars.get(name).map(|v| (*v).to_owned())).unwrap(),
        )
        .unwrap()
    }

    fn user() -> UserRow {
        let now = Clock::system().now().naive_utc();
        UserRow::new(
            random_id(),
            "Al".to_owned(),
            "al@example.com".to_owned(),
            false,
            now,
        )
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let sessions = sessions();
        let now = Clock::system().now();
        let token = sessions
            .issue(
                &user(),
                random_id(),
                now.timestamp(),
                now,
                Duration::days(7),
                None,
            )
            .unwrap();

        assert!(sessions.verify(&token, now).is_some());
        assert!(
            sessions
                .verify(&token, now + Duration::days(7) - Duration::seconds(1))
                .is_some()
        );
        assert!(
            sessions
                .verify(&token, now + Duration::days(7) + Duration::seconds(31))
                .is_none()
        );
        assert!(
            sessions
                .verify(&token, now - Duration::seconds(31))
                .is_none()
        );
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_verify(token in "\\PC{0,400}") {
            prop_assert!(sessions().verify(&token, Clock::system().now()).is_none());
        }

        #[test]
        fn arbitrary_three_segment_tokens_never_verify(a in "[A-Za-z0-9_-]{0,60}", b in "[A-Za-z0-9_-]{0,200}", c in "[A-Za-z0-9_-]{0,60}") {
            let token = format!("{a}.{b}.{c}");
            prop_assert!(sessions().verify(&token, Clock::system().now()).is_none());
        }
    }
}
