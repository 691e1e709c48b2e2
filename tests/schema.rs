//! The checked-in JSON Schema is the one the model generates, and `karta schema` prints it.

mod support;

#[test]
fn checked_in_schema_matches_the_model() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/roadmap.schema.json");
    let checked_in = std::fs::read_to_string(path).expect("schemas/roadmap.schema.json exists");
    let generated = karta::model::schema_text();
    if std::env::var_os("KARTA_BLESS").is_some() {
        std::fs::write(path, &generated).expect("bless the schema");
        return;
    }
    assert!(
        checked_in == generated,
        "schemas/roadmap.schema.json drifted from the model; run `KARTA_BLESS=1 cargo test --test schema` and commit it"
    );
}

#[test]
fn schema_is_draft_2020_12_and_printed_by_the_cli() {
    let schema = karta::model::schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let run = support::Test::new().args(["schema"]).run();
    run.succeeds();
    let printed: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON");
    assert_eq!(printed, schema);
}

#[test]
fn example_roadmaps_carry_the_schema_line() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/roadmaps");
    for entry in std::fs::read_dir(dir).expect("roadmaps/") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schemas/roadmap.schema.json"),
            "{} lacks the schema line",
            path.display()
        );
    }
}

/// The checked-in OpenAPI document is the one the API's types generate (and serve).
#[test]
fn checked_in_openapi_matches_the_api_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/openapi.json");
    let generated = karta::web::openapi::text();
    if std::env::var_os("KARTA_BLESS").is_some() {
        std::fs::write(path, &generated).expect("bless the OpenAPI document");
        return;
    }
    let checked_in = std::fs::read_to_string(path).expect("schemas/openapi.json exists");
    assert!(
        checked_in == generated,
        "schemas/openapi.json drifted from the API's types; run `KARTA_BLESS=1 cargo test --test schema` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    // The real rules are in the schema, not only in descriptions.
    let report = &doc["components"]["schemas"]["ReportBody"];
    let kinds: Vec<&str> = report["oneOf"]
        .as_array()
        .expect("one of the kinds")
        .iter()
        .filter_map(|k| k["properties"]["kind"]["const"].as_str())
        .collect();
    assert_eq!(kinds, ["done", "partial", "not_done"]);
    let not_done =
        report["oneOf"].as_array().and_then(|k| k.iter().find(|k| k["properties"]["kind"]["const"] == "not_done"));
    assert!(
        not_done.is_some_and(|k| k["required"].as_array().is_some_and(|r| r.contains(&"reason".into()))),
        "{report}"
    );
    assert_eq!(doc["components"]["schemas"]["MoveBody"]["properties"]["to"]["format"], "date");
}
