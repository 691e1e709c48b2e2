//! `karta schema`: prints the JSON Schema of the roadmap format.

pub fn run() -> u8 {
    super::out_fmt!("{}", karta::model::schema_text());
    0
}
