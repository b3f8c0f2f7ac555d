// Export…: file → stylized file with codec, quality and size choices, a progress bar
// with fps and time left, and Cancel. Non-modal: the live view keeps running.
#pragma once

#include <QDialog>

#include "studio/studio_types.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;

namespace stylize::ui {

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(QWidget* parent = nullptr);

    stylize::studio::ExportRequest request() const;
    void setInput(const QString& path);
    void setOutput(const QString& path);
    bool running() const { return running_; }
    QPushButton* startButton() const { return start_; }
    QPushButton* cancelButton() const { return cancel_; }
    QProgressBar* progressBar() const { return progress_; }
    QLabel* statusLabel() const { return status_; }

public slots:
    void showProgress(const stylize::studio::ExportProgress& progress);
    void showFinished(bool ok, const QString& message);

signals:
    void exportRequested(const stylize::studio::ExportRequest& request);
    void cancelRequested();

private:
    void browseInput();
    void browseOutput();
    void setRunning(bool running);

    QLineEdit* input_ = nullptr;
    QLineEdit* output_ = nullptr;
    QComboBox* codec_ = nullptr;
    QSlider* quality_ = nullptr;
    QLabel* qualityLabel_ = nullptr;
    QComboBox* size_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* cancel_ = nullptr;
    bool running_ = false;
};

}  // namespace stylize::ui
