// swift-tools-version:5.5
// The C API of libauth as a Swift module. Install libauth first (it must be
// found by pkg-config as "auth"), then depend on this package and
// `import CAuth`.
import PackageDescription

let package = Package(
    name: "CAuth",
    products: [
        .library(name: "CAuth", targets: ["CAuth"]),
    ],
    targets: [
        .systemLibrary(
            name: "CAuth",
            path: "Sources/CAuth",
            pkgConfig: "auth"
        ),
    ]
)
