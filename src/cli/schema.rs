//! `karta schema`: prints the JSON Schema of the roadmap format.

pub fn run() -> super::Exit {
    super::out_fmt!("{}", karta::model::schema_text());
    Ok(())
}
