// The main window: source bar, live view with before/after split and HUD, style gallery
// and blend panel, recording, snapshots, export, keyboard shortcuts, drag and drop,
// remembered settings. It owns the studio controller's thread, never a device.
#pragma once

#include <optional>

#include <QList>
#include <QMainWindow>
#include <QThread>

#include "app_settings.h"
#include "studio/studio_types.h"

namespace stylize::studio {
class StudioController;
struct StudioConfig;
}

namespace stylize::ui {

class BlendPanel;
class ExportDialog;
class LiveView;
class MessageBar;
class SourceBar;
class StyleGallery;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const stylize::studio::StudioConfig& config, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Starts the engine on `requested`, else the remembered source, else the first
    // camera (the sample clip when there is none).
    void start(const std::optional<stylize::studio::SourceSpec>& requested = std::nullopt);

    LiveView* liveView() const { return view_; }
    StyleGallery* gallery() const { return gallery_; }
    BlendPanel* blendPanel() const { return blend_; }
    SourceBar* sourceBar() const { return sourceBar_; }
    MessageBar* messageBar() const { return messages_; }
    ExportDialog* exportDialog();
    bool recording() const { return recording_.active; }

public slots:
    void toggleRecording();
    void takeSnapshot();
    void openFile(const QString& path);
    // Pictures as styles (Magenta's model): "Add picture as style…", or dropped on the gallery.
    void addPictureStyle();
    void addPictureStyles(const QStringList& paths);
    // Import model… once a file or folder is chosen (remembered for the next start).
    void importModelPath(QString path);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildShortcuts();
    void openExportDialog();  // Export… (button or Ctrl+E): the current file as input
    void connectController();
    void onStylesChanged(const QList<stylize::studio::StyleCard>& styles);
    void onSelectionChanged(const QStringList& ids);
    void importModel();

    AppSettings settings_;
    QThread engineThread_;
    stylize::studio::StudioController* controller_ = nullptr;  // lives on engineThread_
    LiveView* view_ = nullptr;
    StyleGallery* gallery_ = nullptr;
    BlendPanel* blend_ = nullptr;
    SourceBar* sourceBar_ = nullptr;
    MessageBar* messages_ = nullptr;
    ExportDialog* export_ = nullptr;
    QList<stylize::studio::StyleCard> styles_;
    stylize::studio::RecordingStatus recording_;
    bool preparing_ = false;  // the controller is preparing a style: keep its note up
    QStringList importedModels_;
    QStringList pictureStyles_;     // remembered in settings_, in the order added
    bool pictureModelReady_ = false;  // Magenta's model is loaded: pictures can be styles
    QString selectAfterStyles_;     // a picture style just added: selected once its card is there
};

}  // namespace stylize::ui
