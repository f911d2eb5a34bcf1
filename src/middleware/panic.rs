//! A panic in a handler becomes a 500 JSON answer and the worker keeps serving: the panic is
//! caught at the edge of the request, logged, and answered like any internal error.

use std::panic::AssertUnwindSafe;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use futures_util::FutureExt as _;

use crate::error::ApiError;

pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_owned());
            // The request went down with the handler; an error is rendered by the HTTP layer
            // through `ApiError`'s own response.
            Err(ApiError::Internal(format!("handler panicked: {what}")).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, HttpServer, web};

    use super::*;

    async fn boom() -> HttpResponse {
        panic!("boom")
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_500_json_and_the_same_worker_serves_on() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let server = HttpServer::new(|| {
            App::new()
                .wrap(from_fn(catch_panics))
                .route("/boom", web::get().to(boom))
                .route(
                    "/fine",
                    web::get().to(|| async { HttpResponse::Ok().body("fine") }),
                )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let client = awc::Client::default();

        let mut first = client.get(format!("{address}/boom")).send().await.unwrap();
        let body: serde_json::Value = first.json().await.unwrap();
        let second = client.get(format!("{address}/fine")).send().await.unwrap();

        assert_eq!(first.status(), 500);
        assert_eq!(
            body,
            serde_json::json!({"message": "Internal server error", "code": "INTERNAL_SERVER_ERROR"})
        );
        assert_eq!(second.status(), 200);
        handle.stop(false).await;
    }
}
