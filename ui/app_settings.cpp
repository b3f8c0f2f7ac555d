// AppSettings: keys, defaults and the enum <-> string mapping.
#include "app_settings.h"

#include <QStandardPaths>

namespace stylize::ui {

using stylize::studio::SourceKind;

AppSettings::AppSettings() = default;

QString AppSettings::kindName(SourceKind kind)
{
    switch (kind) {
    case SourceKind::SampleClip: return "sample";
    case SourceKind::TestPattern: return "test-pattern";
    case SourceKind::Camera: return "camera";
    case SourceKind::File: return "file";
    }
    return "sample";
}

SourceKind AppSettings::kindFromName(const QString& name)
{
    if (name == "test-pattern")
        return SourceKind::TestPattern;
    if (name == "camera")
        return SourceKind::Camera;
    if (name == "file")
        return SourceKind::File;
    return SourceKind::SampleClip;
}

stylize::studio::SourceSpec AppSettings::lastSource() const
{
    stylize::studio::SourceSpec s;
    s.kind = kindFromName(settings_.value("source/kind", "sample").toString());
    s.location = settings_.value("source/location").toString();
    s.label = settings_.value("source/label").toString();
    return s;
}

void AppSettings::setLastSource(const stylize::studio::SourceSpec& source)
{
    settings_.setValue("source/kind", kindName(source.kind));
    settings_.setValue("source/location", source.location);
    settings_.setValue("source/label", source.label);
}

stylize::studio::BlendSettings AppSettings::blend() const
{
    stylize::studio::BlendSettings b;
    const QStringList ids = settings_.value("blend/styles").toStringList();
    const QList<QVariant> weights = settings_.value("blend/weights").toList();
    for (int i = 0; i < ids.size(); ++i)
        b.styles.append({ids[i], i < weights.size() ? weights[i].toDouble() : 50.0});
    b.strength = settings_.value("blend/strength", 1.0).toDouble();
    b.preserveColours = settings_.value("blend/keepColours", false).toBool();
    b.sceneLight = settings_.value("blend/sceneLight", 0.0).toDouble();
    // A first start calms a still webcam's flicker by a third without the smear a full
    // keep can leave on slow, soft motion (docs/steady.md); scripts (stylize-cli) start at 0.
    b.steady = std::clamp(settings_.value("blend/steady", kFirstStartSteady).toDouble(), 0.0, 1.0);
    b.brushPercent = settings_.value("blend/brushPercent", 0).toInt();
    return b;
}

void AppSettings::setBlend(const stylize::studio::BlendSettings& blend)
{
    QStringList ids;
    QList<QVariant> weights;
    for (const auto& s : blend.styles) {
        ids.append(s.id);
        weights.append(s.weight);
    }
    settings_.setValue("blend/styles", ids);
    settings_.setValue("blend/weights", weights);
    settings_.setValue("blend/strength", blend.strength);
    settings_.setValue("blend/keepColours", blend.preserveColours);
    settings_.setValue("blend/sceneLight", blend.sceneLight);
    settings_.setValue("blend/steady", blend.steady);
    settings_.setValue("blend/brushPercent", blend.brushPercent);
}

QStringList AppSettings::importedModels() const { return settings_.value("models/imported").toStringList(); }

void AppSettings::setImportedModels(const QStringList& paths) { settings_.setValue("models/imported", paths); }

QStringList AppSettings::pictureStyles() const { return settings_.value("styles/pictures").toStringList(); }

void AppSettings::setPictureStyles(const QStringList& paths) { settings_.setValue("styles/pictures", paths); }

QString AppSettings::folder(const QString& purpose) const
{
    QString fallback;
    if (purpose == "recordings" || purpose == "export")
        fallback = QStandardPaths::writableLocation(QStandardPaths::MoviesLocation);
    else if (purpose == "snapshots" || purpose == "pictures")
        fallback = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    else
        fallback = QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
    return settings_.value("folders/" + purpose, fallback).toString();
}

void AppSettings::setFolder(const QString& purpose, const QString& path) { settings_.setValue("folders/" + purpose, path); }

QByteArray AppSettings::windowGeometry() const { return settings_.value("window/geometry").toByteArray(); }
void AppSettings::setWindowGeometry(const QByteArray& geometry) { settings_.setValue("window/geometry", geometry); }
QByteArray AppSettings::windowState() const { return settings_.value("window/state").toByteArray(); }
void AppSettings::setWindowState(const QByteArray& state) { settings_.setValue("window/state", state); }
double AppSettings::splitPosition() const { return settings_.value("view/split", 0.5).toDouble(); }
void AppSettings::setSplitPosition(double position) { settings_.setValue("view/split", position); }

}  // namespace stylize::ui
