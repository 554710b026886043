//! Prints the table and route definitions as JSON, for the CDK app and any other tool that must
//! agree with the Rust code on names, keys and routes.

fn main() {
    let schema = serde_json::json!({
        "tables": wecare_core::tables::all(),
        "routes": wecare_core::routes::ROUTES,
        "functions": wecare_core::routes::FUNCTIONS,
    });
    match serde_json::to_string_pretty(&schema) {
        Ok(s) => println!("{s}"),
        Err(e) => {
            eprintln!("cannot serialize the schema: {e}");
            std::process::exit(1);
        }
    }
}
