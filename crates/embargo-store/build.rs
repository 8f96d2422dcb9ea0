fn main() {
    // Migrations are embedded at compile time; a new file must trigger a rebuild.
    println!("cargo:rerun-if-changed=migrations");
}
