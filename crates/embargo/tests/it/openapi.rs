//! The OpenAPI document: served without a token at `/api/openapi.json`, valid against the official
//! OpenAPI 3.1 schema, and every operation it lists is a route of the running server.

use reqwest::Method;
use serde_json::Value;

use crate::support::{Reply, Site};

/// The official OpenAPI 3.1 schema (see `tests/schemas/openapi-3.1/README.md`).
fn openapi_schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/openapi-3.1/schema.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The served document's operations: (method, path template, operation).
pub fn operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                other => panic!("{path}: unexpected key {other:?} in a path item"),
            };
            out.push((method, path.clone(), op.clone()));
        }
    }
    out
}

/// The names of the `{parameters}` of a path template.
fn template_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// True when the router did not find a route: axum answers an unknown path with an empty 404 and
/// a known path with another method with 405; the API's own 404 carries its error body.
fn unrouted(r: &Reply) -> bool {
    r.status == 405 || (r.status == 404 && r.code() != "not_found")
}

/// Calls `path` as documented, as an admin, with an empty JSON object as the body.
async fn probe(site: &Site, method: Method, path: &str) -> Reply {
    site.call(
        method,
        Some(&site.admin.token),
        path,
        Some(serde_json::json!({})),
    )
    .await
}

#[tokio::test]
async fn the_served_api_document_is_valid_openapi_3_1_and_lists_only_real_routes() {
    let site = Site::start().await;
    let resp = site
        .http
        .get(site.server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let doc: Value = resp.json().await.unwrap();

    let version = doc["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3.1."), "{version}");
    let validator = jsonschema::validator_for(&openapi_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid OpenAPI 3.1: {errors:#?}");
    // Every schema of the document is a valid JSON Schema (2020-12, OpenAPI 3.1's dialect).
    for (name, schema) in doc["components"]["schemas"].as_object().expect("schemas") {
        if let Err(e) = jsonschema::meta::validate(schema) {
            panic!("schema {name} is not a valid JSON Schema: {e}");
        }
    }
    assert_eq!(
        doc,
        serde_json::to_value(embargo_web::openapi()).unwrap(),
        "the server serves the crate's document"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer",
        "{doc}"
    );

    let ops = operations(&doc);
    assert!(ops.len() >= 20, "only {} operations", ops.len());
    let mut ids = std::collections::BTreeSet::new();
    for (method, path, op) in &ops {
        let id = op["operationId"].as_str().unwrap_or_default();
        assert!(
            ids.insert(id),
            "{method} {path}: operationId {id:?} is not unique"
        );
    }
    for (method, path, op) in &ops {
        let name = format!("{method} {path}");
        assert!(path.starts_with("/api/v1/"), "{name}");
        // Path parameters are declared, each once.
        let declared: Vec<&str> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(declared, template_params(path), "{name}: path parameters");
        // Bodies are described for changes that take one.
        if [Method::POST, Method::PUT].contains(method) {
            assert!(
                op["requestBody"]["content"]["application/json"]["schema"].is_object(),
                "{name}: no request body"
            );
        }
        // A success answer and the error answers, in the error shape.
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{name}: no success answer"
        );
        let errors: Vec<&String> = responses.keys().filter(|s| s.starts_with('4')).collect();
        assert!(!errors.is_empty(), "{name}: no error answers");
        for status in errors {
            assert_eq!(
                responses[status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{name} {status}"
            );
        }
        // Every operation but public intake needs the bearer token, and says so.
        let public = *method == Method::POST && path == "/api/v1/reports";
        if public {
            assert!(op.get("security").is_none(), "{name}: {op}");
        } else {
            assert_eq!(
                op["security"],
                serde_json::json!([{ "bearer": [] }]),
                "{name}"
            );
            assert!(responses.contains_key("401"), "{name}: no 401");
        }
    }

    // The router knows every operation: called as documented (with an id that matches nothing),
    // none is an unknown route or a wrong method.
    for (method, path, _) in &ops {
        let mut concrete = path.clone();
        for param in template_params(path) {
            concrete = concrete.replace(
                &format!("{{{param}}}"),
                "0190f3c4-0000-7000-8000-00000000beef",
            );
        }
        let r = probe(&site, method.clone(), &concrete).await;
        assert!(
            !unrouted(&r),
            "{method} {path} is not routed: {} {}",
            r.status,
            r.text
        );
    }
    // The check above can fail: an unknown path and a wrong method are told apart.
    assert!(unrouted(
        &probe(&site, Method::GET, "/api/v1/no-such-thing").await
    ));
    assert!(unrouted(&probe(&site, Method::DELETE, "/api/v1/me").await));
}
