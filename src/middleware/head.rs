//! `HEAD` on any `GET` route answers as `GET` without a body: proxies and load balancers check
//! health with `HEAD`. The request is routed as a `GET`; the HTTP layer, which saw a `HEAD`,
//! sends the headers (with the `Content-Length` the body would have) and no body.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
