// @generated automatically by Diesel CLI.

diesel::table! {
    accounts (id) {
        id -> Text,
        user_id -> Text,
        provider_id -> Text,
        account_id -> Text,
        password_hash -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        access_token -> Nullable<Text>,
        refresh_token -> Nullable<Text>,
        id_token -> Nullable<Text>,
        access_token_expires_at -> Nullable<Timestamp>,
        scope -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor -> Text,
        action -> Text,
        target_id -> Nullable<Text>,
        target -> Nullable<Text>,
        ip_address -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        count -> Integer,
        window_start -> BigInt,
    }
}

diesel::table! {
    revoked_sessions (sid) {
        sid -> Text,
        expires_at -> Timestamp,
        revoked_at -> BigInt,
    }
}

diesel::table! {
    session_invalidations (at, key) {
        at -> BigInt,
        key -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        token_hash -> Nullable<Text>,
        user_id -> Text,
        expires_at -> Timestamp,
        ip_address -> Text,
        user_agent -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        impersonated_by -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        name -> Text,
        email -> Text,
        email_verified -> Bool,
        image -> Nullable<Text>,
        username -> Nullable<Text>,
        display_username -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        role -> Text,
        banned -> Bool,
        ban_reason -> Nullable<Text>,
        ban_expires -> Nullable<Timestamp>,
    }
}

diesel::table! {
    verifications (id) {
        id -> Text,
        purpose -> Text,
        token_hash -> Text,
        user_id -> Nullable<Text>,
        email -> Text,
        new_email -> Nullable<Text>,
        name -> Nullable<Text>,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        payload -> Nullable<Text>,
    }
}

diesel::joinable!(accounts -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(verifications -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    audit_log,
    rate_limits,
    revoked_sessions,
    session_invalidations,
    sessions,
    users,
    verifications,
);
