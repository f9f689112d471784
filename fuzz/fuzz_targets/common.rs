use massage_check::date::Date;
use massage_check::engine::Engine;
use massage_check::rulebook::Rulebook;

pub fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Rulebook::builtin().expect("builtin")).expect("compiles"))
}

pub fn today() -> Date {
    Date::from_ymd(2026, 11, 21).expect("date")
}
