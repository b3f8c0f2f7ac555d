// The desktop app's settings: one typed store over QSettings with namespaced keys and
// enums saved as strings. The engine never sees QSettings, only the values.
#pragma once

#include <QByteArray>
#include <QSettings>
#include <QStringList>

#include "studio/studio_types.h"

namespace stylize::ui {

class AppSettings {
public:
    AppSettings();  // the organisation/application scope set in main()

    bool hasLastSource() const { return settings_.contains("source/kind"); }
    stylize::studio::SourceSpec lastSource() const;
    void setLastSource(const stylize::studio::SourceSpec& source);
    stylize::studio::BlendSettings blend() const;  // styles as ids with weights
    // Steady (render::OutputLook::steady) before the user has set it.
    static constexpr double kFirstStartSteady = 0.5;
    void setBlend(const stylize::studio::BlendSettings& blend);
    QStringList importedModels() const;
    void setImportedModels(const QStringList& paths);
    QStringList pictureStyles() const;  // pictures made styles, in gallery order
    void setPictureStyles(const QStringList& paths);
    QString folder(const QString& purpose) const;  // "recordings", "snapshots", "export", "open", "pictures"
    void setFolder(const QString& purpose, const QString& path);
    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);
    double splitPosition() const;
    void setSplitPosition(double position);

    static QString kindName(stylize::studio::SourceKind kind);
    static stylize::studio::SourceKind kindFromName(const QString& name);

private:
    mutable QSettings settings_;
};

}  // namespace stylize::ui
